package stage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/proto"
)

func TestRetryWithBackoffThenSuccess(t *testing.T) {
	_, js := setup(t, proto.Options{MaxDeliver: 6})
	var c calls
	run := start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		c.add(m)
		if m.Deliveries < 3 {
			return fmt.Errorf("fetch page: %w", errors.New("503 service unavailable"))
		}
		return nil
	})
	publish(t, js, "1")
	eventually(t, "three deliveries", func() bool { return c.count() >= 3 })
	consumerIdle(t, js)

	got := c.list()
	if len(got) != 3 {
		t.Fatalf("handled %d times, want 3", len(got))
	}
	for i, cl := range got {
		if cl.deliveries != uint64(i+1) {
			t.Errorf("call %d saw delivery %d", i+1, cl.deliveries)
		}
	}
	// Back-off with equal jitter waits at least half the step: 25ms, then 50ms.
	if d := got[1].at.Sub(got[0].at); d < 25*time.Millisecond {
		t.Errorf("second delivery after %s, want back-off of at least 25ms", d)
	}
	if d := got[2].at.Sub(got[1].at); d < 50*time.Millisecond {
		t.Errorf("third delivery after %s, want back-off of at least 50ms", d)
	}
	eventually(t, "stats", func() bool { return run.r.Stats().Acked == 1 })
	if s := run.r.Stats(); s.Retried != 2 || s.DeadLettered != 0 || s.Processed != 3 {
		t.Errorf("stats %+v, want 2 retried, 3 processed", s)
	}
}

func TestRetryAfterDelaysRedelivery(t *testing.T) {
	_, js := setup(t, proto.Options{})
	var c calls
	start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		c.add(m)
		if m.Deliveries == 1 {
			return stage.RetryAfter(errors.New("429 too many requests"), 400*time.Millisecond)
		}
		return nil
	})
	publish(t, js, "1")
	eventually(t, "redelivery", func() bool { return c.count() >= 2 })
	got := c.list()
	if d := got[1].at.Sub(got[0].at); d < 400*time.Millisecond {
		t.Fatalf("redelivered after %s, want at least the 400ms asked for", d)
	}
}

func TestPoisonMessageReachesDeadLetters(t *testing.T) {
	_, js := setup(t, proto.Options{MaxDeliver: 3})
	var handled atomic.Int32
	var mu sync.Mutex
	var hooked []*proto.DeadLetter
	var hookedMsg proto.Message
	run := start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		handled.Add(1)
		return fmt.Errorf("resolve acl of %s: boom", m.Payload.(*proto.ContentFetched).ID)
	}, stage.WithOnDeadLetter(func(ctx context.Context, dl *proto.DeadLetter, m proto.Message) {
		mu.Lock()
		defer mu.Unlock()
		hooked, hookedMsg = append(hooked, dl), m
	}))

	orig := content("42")
	payload, err := bus.Encode(orig)
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg(proto.For(site).Content(orig.SpaceID, orig.ID))
	msg.Header.Set(proto.HeaderSchema, orig.Schema().String())
	msg.Header.Set(proto.HeaderCrawl, "c1")
	msg.Header.Set("X-Trace", "abc")
	msg.Data = payload
	ack, err := js.PublishMsg(testCtx(t), msg)
	if err != nil {
		t.Fatal(err)
	}

	dl := deadLetters(t, js, 1)[0]
	if n := handled.Load(); n != 3 {
		t.Errorf("handled %d times, want 3 (MaxDeliver)", n)
	}
	if !bytes.Equal(dl.Payload, payload) {
		t.Error("dead letter payload differs from the original")
	}
	if dl.Headers[proto.HeaderSchema][0] != "content.fetched/1" || dl.Headers["X-Trace"][0] != "abc" {
		t.Errorf("dead letter headers %v lack the original ones", dl.Headers)
	}
	if !strings.Contains(dl.Error, "resolve acl of 42: boom") || !strings.Contains(dl.Error, "3 deliveries") {
		t.Errorf("dead letter error %q", dl.Error)
	}
	want := proto.DeadLetter{
		Stage: proto.StagePermissions, Stream: proto.StreamContent, Consumer: durable,
		Subject: msg.Subject, Sequence: ack.Sequence, Deliveries: 3,
		CrawlID: "c1", SpaceID: orig.SpaceID, ItemID: "42",
	}
	got := *dl
	got.Error, got.Headers, got.Payload = "", nil, nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dead letter %+v, want %+v", got, want)
	}
	consumerIdle(t, js) // terminated, not pending
	eventually(t, "hook", func() bool { mu.Lock(); defer mu.Unlock(); return len(hooked) == 1 })
	mu.Lock()
	if hookedMsg.(*proto.ContentFetched).ID != "42" {
		t.Errorf("hook got %v", hookedMsg)
	}
	mu.Unlock()
	if s := run.r.Stats(); s.DeadLettered != 1 || s.Retried != 2 {
		t.Errorf("stats %+v, want 1 dead-lettered, 2 retried", s)
	}
}

func TestPermanentErrorDeadLettersAtOnce(t *testing.T) {
	_, js := setup(t, proto.Options{MaxDeliver: 5})
	var handled atomic.Int32
	start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		handled.Add(1)
		return fmt.Errorf("fetch page 7: %w", stage.Permanent(errors.New("404 not found")))
	})
	publish(t, js, "7")
	dl := deadLetters(t, js, 1)[0]
	if dl.Deliveries != 1 || !strings.Contains(dl.Error, "404 not found") {
		t.Errorf("dead letter after %d deliveries, error %q", dl.Deliveries, dl.Error)
	}
	consumerIdle(t, js)
	if n := handled.Load(); n != 1 {
		t.Errorf("handled %d times, want 1", n)
	}
}

// Messages that cannot be decoded go to the dead-letter stream with the
// reason, without reaching the handler, and the runner goes on.
func TestMalformedMessagesDeadLettered(t *testing.T) {
	_, js := setup(t, proto.Options{})
	var c calls
	run := start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		c.add(m)
		return nil
	})
	ctx := testCtx(t)
	good, _ := bus.Encode(content("ok"))
	raw := []struct {
		id, schema string
		data       []byte
		reason     string
	}{
		{"badpack", "content.fetched/1", []byte{0xc1, 0x00, 0x01}, "malformed message"},
		{"noschema", "", good, "no Conflux-Schema header"},
		{"future", "content.fetched/7", good, `unknown schema "content.fetched/7"`},
	}
	for _, r := range raw {
		m := nats.NewMsg(proto.For(site).Content("s", r.id))
		if r.schema != "" {
			m.Header.Set(proto.HeaderSchema, r.schema)
		}
		m.Data = r.data
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, js, "ok")

	dls := deadLetters(t, js, len(raw))
	for _, r := range raw {
		var found bool
		for _, dl := range dls {
			if strings.HasSuffix(dl.Subject, "."+r.id) {
				found = true
				if !strings.Contains(dl.Error, r.reason) || !strings.Contains(dl.Error, dl.Subject) {
					t.Errorf("%s: reason %q, want it to contain %q and the subject", r.id, dl.Error, r.reason)
				}
				if dl.Deliveries != 1 || !bytes.Equal(dl.Payload, r.data) {
					t.Errorf("%s: %d deliveries, payload %q", r.id, dl.Deliveries, dl.Payload)
				}
			}
		}
		if !found {
			t.Errorf("%s: no dead letter", r.id)
		}
	}
	eventually(t, "the good message", func() bool { return c.count() == 1 })
	consumerIdle(t, js)
	if got := c.list(); len(got) != 1 || got[0].id != "ok" {
		t.Errorf("handler saw %v, want only the good message", got)
	}
	if s := run.r.Stats(); s.DeadLettered != 3 {
		t.Errorf("stats %+v, want 3 dead-lettered", s)
	}
}

func TestPanicIsRetried(t *testing.T) {
	_, js := setup(t, proto.Options{})
	var c calls
	start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		c.add(m)
		if m.Deliveries == 1 {
			panic("nil map")
		}
		return nil
	})
	publish(t, js, "1")
	eventually(t, "redelivery after a panic", func() bool { return c.count() == 2 })
	consumerIdle(t, js)
}

func TestClaimCheckedPayloadReachesHandler(t *testing.T) {
	_, js := setup(t, proto.Options{})
	big := content("big")
	big.Body = strings.Repeat("<p>large page</p>", (5<<20)/17+1)
	bodies := make(chan string, 1)
	start(t, js, config(), func(ctx context.Context, m *stage.Msg) error {
		if m.Header.Get(bus.HeaderClaim) == "" {
			t.Error("a 5 MiB payload travelled inline")
		}
		bodies <- m.Payload.(*proto.ContentFetched).Body
		return nil
	})
	if err := bus.NewPublisher(js).Publish(testCtx(t), proto.For(site).Content("s", "big"), big, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-bodies:
		if b != big.Body {
			t.Fatalf("handler got %d bytes, want %d", len(b), len(big.Body))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("handler not called")
	}
}

func TestNewRunnerValidates(t *testing.T) {
	_, js := setup(t, proto.Options{})
	h := func(context.Context, *stage.Msg) error { return nil }
	for name, cfg := range map[string]stage.Config{
		"no stage":          {Stream: "S", Durable: "D", Site: site},
		"no durable":        {Stage: "x", Stream: "S", Site: site},
		"no dead letter":    {Stage: "x", Stream: "S", Durable: "D"},
		"negative delivers": {Stage: "x", Stream: "S", Durable: "D", Site: site, MaxDeliver: -1},
	} {
		if _, err := stage.NewRunner(js, cfg, h); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	r, err := stage.NewRunner(js, stage.Config{Stage: "x", Stream: "NOPE", Durable: "D", Site: site}, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(testCtx(t)); err == nil {
		t.Error("Run on a missing consumer succeeded")
	}
}
