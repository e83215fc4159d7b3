package stage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/proto"
)

// A runner stopped while its handler is stuck hands the message back: a
// second runner on the same durable gets it at once (not after AckWait).
func TestStopMidMessageLosesNothing(t *testing.T) {
	_, js := setup(t, proto.Options{AckWait: time.Minute})
	started := make(chan struct{})
	cfg := config()
	cfg.ShutdownGrace = 200 * time.Millisecond
	a := start(t, js, cfg, func(ctx context.Context, m *stage.Msg) error {
		close(started)
		<-ctx.Done() // stuck until shutdown cuts it off
		return ctx.Err()
	})
	publish(t, js, "1")
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("first runner never got the message")
	}
	a.stop(t)
	if s := a.r.Stats(); s.Interrupted != 1 || s.Acked != 0 || s.InFlight != 0 {
		t.Errorf("first runner stats %+v, want 1 interrupted", s)
	}

	var c calls
	b := start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		c.add(m)
		return nil
	})
	eventually(t, "second runner gets the message", func() bool { return c.count() == 1 })
	consumerIdle(t, js)
	if got := c.list()[0]; got.id != "1" || got.deliveries != 2 {
		t.Errorf("second runner got %+v, want message 1 on its second delivery", got)
	}
	if s := b.r.Stats(); s.Acked != 1 {
		t.Errorf("second runner stats %+v", s)
	}
}

// A handler that finishes within the grace period after the stop completes
// and is acked: graceful stop finishes in-flight work.
func TestStopFinishesInFlightWork(t *testing.T) {
	_, js := setup(t, proto.Options{})
	started := make(chan struct{})
	release := make(chan struct{})
	var c calls
	a := start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		close(started)
		<-release
		c.add(m)
		return nil
	})
	publish(t, js, "1")
	<-started
	stopped := make(chan struct{})
	go func() {
		a.stop(t)
		close(stopped)
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-stopped:
		t.Fatal("Run returned while a handler was still running")
	default:
	}
	close(release)
	select {
	case <-stopped:
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return")
	}
	consumerIdle(t, js)
	if s := a.r.Stats(); s.Acked != 1 || s.Interrupted != 0 || c.count() != 1 {
		t.Errorf("stats %+v after %d calls, want the message acked once", s, c.count())
	}
}

// Two runners on one durable share the work; a message is handled twice
// only when it was redelivered.
func TestTwoRunnersShareWork(t *testing.T) {
	_, js := setup(t, proto.Options{})
	const n = 200
	var mu sync.Mutex
	byRunner := map[string]int{}
	seen := map[string][]uint64{}
	handler := func(name string) stage.Handler {
		return func(ctx context.Context, m *stage.Msg) error {
			time.Sleep(2 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			byRunner[name]++
			id := m.Payload.(*proto.ContentFetched).ID
			seen[id] = append(seen[id], m.Deliveries)
			return nil
		}
	}
	cfg := config()
	cfg.Concurrency = 3
	start(t, js, cfg, handler("a"))
	start(t, js, cfg, handler("b"))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = string(rune('A'+i/26)) + string(rune('a'+i%26))
	}
	publish(t, js, ids...)
	eventually(t, "every message", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == n
	})
	consumerIdle(t, js)
	mu.Lock()
	defer mu.Unlock()
	if byRunner["a"] == 0 || byRunner["b"] == 0 {
		t.Errorf("work was not shared: %v", byRunner)
	}
	for id, deliveries := range seen {
		if len(deliveries) > 1 && deliveries[len(deliveries)-1] < 2 {
			t.Errorf("message %s handled %d times without a redelivery: %v", id, len(deliveries), deliveries)
		}
	}
	t.Logf("handled per runner: %v", byRunner)
}

// A handler that runs for longer than AckWait is not redelivered: the
// runner renews the message while it runs.
func TestInProgressKeepsLongWorkAlive(t *testing.T) {
	_, js := setup(t, proto.Options{AckWait: time.Second})
	var c calls
	cfg := config()
	cfg.Concurrency = 2
	start(t, js, cfg, func(ctx context.Context, m *stage.Msg) error {
		c.add(m)
		time.Sleep(3500 * time.Millisecond)
		return nil
	})
	publish(t, js, "slow")
	eventually(t, "the message", func() bool { return c.count() == 1 })
	consumerIdle(t, js)
	if got := c.list(); len(got) != 1 {
		t.Fatalf("handled %d times while in progress, want 1: %v", len(got), got)
	}
}

// Run returns an error, rather than hanging, when its connection closes.
func TestRunReturnsWhenConnectionCloses(t *testing.T) {
	nc, js := setup(t, proto.Options{})
	r, err := stage.NewRunner(js, config(), func(context.Context, *stage.Msg) error { return nil }, stage.WithLogger(testLogger()))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()
	publish(t, js, "1")
	eventually(t, "the message", func() bool { return r.Stats().Acked == 1 })
	nc.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Run returned nil after its connection closed")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run still running after its connection closed")
	}
}

// A message that waits in the runner's buffer behind busy handlers for
// longer than AckWait is redelivered by the server to the same runner;
// it is still handled once: the second delivery waits for the first and
// is acknowledged with it.
func TestMessageWaitingPastAckWaitIsHandledOnce(t *testing.T) {
	_, js := setup(t, proto.Options{AckWait: time.Second})
	var c calls
	cfg := config()
	cfg.Concurrency = 1
	run := start(t, js, cfg, func(ctx context.Context, m *stage.Msg) error {
		c.add(m)
		time.Sleep(2500 * time.Millisecond) // the other message waits past AckWait
		return nil
	})
	publish(t, js, "first", "second")
	eventually(t, "both messages", func() bool { return c.count() >= 2 })
	consumerIdle(t, js)
	time.Sleep(time.Second) // a duplicate handled late would show now
	byID := map[string]int{}
	for _, cl := range c.list() {
		byID[cl.id]++
	}
	if byID["first"] != 1 || byID["second"] != 1 {
		t.Fatalf("handled %v, want each message once", byID)
	}
	if s := run.r.Stats(); s.Acked < 2 {
		t.Errorf("stats %+v, want both acknowledged", s)
	}
}
