package stage_test

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/proto"
)

const site = "https://acme.atlassian.net"

var durable = proto.Durable(proto.StagePermissions, "content", site)

func testLogger() *slog.Logger {
	level := slog.LevelError
	if os.Getenv("STAGE_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// testCtx is a generous deadline for one test on a loaded machine.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// setup starts a server with the topology of site, sized by o.
func setup(t *testing.T, o proto.Options) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	s := natstest.Start(t)
	nc, js := natstest.Connect(t, s)
	if err := bus.EnsureTopology(testCtx(t), js, site, o); err != nil {
		t.Fatal(err)
	}
	return nc, js
}

func config() stage.Config {
	return stage.Config{
		Stage: proto.StagePermissions, Stream: proto.StreamContent, Durable: durable, Site: site,
		BackoffBase: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
	}
}

func content(id string) *proto.ContentFetched {
	return &proto.ContentFetched{
		CrawlID: "c1", Kind: proto.CrawlFull, SpaceID: "98304", SpaceKey: "ENG",
		ID: id, Type: proto.TypePage, Title: "Page " + id, Version: 1, Body: "<p>" + id + "</p>",
	}
}

func publish(t *testing.T, js jetstream.JetStream, ids ...string) {
	t.Helper()
	pub := bus.NewPublisher(js)
	for _, id := range ids {
		m := content(id)
		if err := pub.Publish(testCtx(t), proto.For(site).Content(m.SpaceID, id), m, proto.MsgID("content", id, 1, "c1")); err != nil {
			t.Fatal(err)
		}
	}
}

// running is a runner started in the background.
type running struct {
	r      *stage.Runner
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

func start(t *testing.T, js jetstream.JetStream, cfg stage.Config, h stage.Handler, opts ...stage.Option) *running {
	t.Helper()
	opts = append([]stage.Option{stage.WithLogger(testLogger())}, opts...)
	r, err := stage.NewRunner(js, cfg, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &running{r: r, cancel: cancel, done: make(chan error, 1)}
	go func() { run.done <- r.Run(ctx) }()
	t.Cleanup(func() { run.stop(t) })
	return run
}

// stop cancels the runner and waits for Run to return. It may be called
// from any goroutine, more than once.
func (run *running) stop(t *testing.T) {
	run.once.Do(func() {
		run.cancel()
		select {
		case err := <-run.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
}

// eventually polls cond until it holds or 30 seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// deadLetters reads every dead letter of the permissions stage.
func deadLetters(t *testing.T, js jetstream.JetStream, want int) []*proto.DeadLetter {
	t.Helper()
	ctx := testCtx(t)
	cons, err := js.OrderedConsumer(ctx, proto.StreamDeadLetters, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*proto.DeadLetter
	for len(out) < want {
		m, err := cons.Next(jetstream.FetchMaxWait(30 * time.Second))
		if err != nil {
			t.Fatalf("dead letter %d of %d: %v", len(out)+1, want, err)
		}
		got, err := bus.DecodeMsg(ctx, js, m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got.(*proto.DeadLetter))
	}
	return out
}

// consumerIdle waits until the durable has nothing pending or in flight.
func consumerIdle(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	eventually(t, "consumer idle", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := js.Consumer(ctx, proto.StreamContent, durable)
		if err != nil {
			return false
		}
		i := c.CachedInfo()
		return i.NumPending == 0 && i.NumAckPending == 0
	})
}

// calls records handler invocations.
type calls struct {
	mu  sync.Mutex
	all []call
}

type call struct {
	id         string
	deliveries uint64
	at         time.Time
}

func (c *calls) add(m *stage.Msg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all = append(c.all, call{id: m.Payload.(*proto.ContentFetched).ID, deliveries: m.Deliveries, at: time.Now()})
}

func (c *calls) list() []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]call(nil), c.all...)
}

func (c *calls) count() int { return len(c.list()) }
