package stage_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/cputime"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/proto"
)

// BenchmarkRunner measures the stage framework per message: b.N fetched
// pages (4 KiB bodies) wait in the content stream of an embedded server,
// then a Runner consumes them until every one is decoded, handled and
// acked. One op is one message, so ns/op is the wall time per message;
// msgs/s is the throughput, µs/msg the same wall time in µs, and
// cpu-µs/msg the CPU the process spent per message (runner, client and
// the embedded server together), which depends less on a busy machine.
// B/op and allocs/op count the server's allocations too. The runner's
// start (binding the consumer) is inside the timer, a few milliseconds
// spread over all messages.
//
// handler=noop isolates the framework (pull, decode, ack); handler=forward
// publishes a DocumentReady per message with a synchronous Publish, as a
// real stage does: that is the pipeline overhead the team budgets at under
// 100 µs per message (decode + ack + publish).
func BenchmarkRunner(b *testing.B) {
	cases := []struct {
		handler     string
		concurrency int
	}{
		{"noop", 1},
		{"noop", 4},
		{"forward", 4},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("handler=%s/concurrency=%d", c.handler, c.concurrency), func(b *testing.B) {
			benchRunner(b, c.handler == "forward", c.concurrency)
		})
	}
}

func benchRunner(b *testing.B, forward bool, concurrency int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := natstest.Start(b)
	nc, js := natstest.Connect(b, s)
	if err := bus.EnsureTopology(ctx, js, site, proto.Options{}); err != nil {
		b.Fatal(err)
	}
	fill(b, ctx, js, b.N)

	h, handled := benchHandler(js, forward, b.N)
	cfg := config()
	cfg.Concurrency = concurrency
	r, err := stage.NewRunner(js, cfg, h, stage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	b.ReportAllocs()
	cpu0 := cputime.Used()
	b.ResetTimer()

	go func() { done <- r.Run(runCtx) }()
	select {
	case <-handled:
	case err := <-done:
		b.Fatalf("Run returned early: %v", err)
	case <-ctx.Done():
		b.Fatalf("handled %d of %d messages before the deadline", r.Stats().Processed, b.N)
	}
	for r.Stats().Processed < uint64(b.N) && ctx.Err() == nil { // the last acks
		time.Sleep(20 * time.Microsecond)
	}
	if err := nc.FlushTimeout(30 * time.Second); err != nil {
		b.Fatal(err)
	}

	b.StopTimer()
	cpu := cputime.Used() - cpu0
	stop()
	if err := <-done; err != nil {
		b.Fatalf("Run: %v", err)
	}
	checkRun(b, ctx, js, r.Stats(), forward)
	elapsed := b.Elapsed()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(elapsed.Microseconds())/float64(b.N), "µs/msg")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
	}
}

// benchHandler returns the handler and a channel closed once it has run n
// times. With forward it publishes a document per message, otherwise it
// does nothing but check the payload's type.
func benchHandler(js jetstream.JetStream, forward bool, n int) (stage.Handler, <-chan struct{}) {
	pub := bus.NewPublisher(js)
	handled := make(chan struct{})
	var calls atomic.Int64
	return func(ctx context.Context, m *stage.Msg) error {
		c, ok := m.Payload.(*proto.ContentFetched)
		if !ok {
			return stage.Permanent(fmt.Errorf("payload is a %T", m.Payload))
		}
		if forward {
			doc := &proto.DocumentReady{Document: proto.Document{
				ID: c.ID, Type: c.Type, SpaceID: c.SpaceID, SpaceKey: c.SpaceKey, Title: c.Title,
				Version: c.Version, Body: c.Body, CrawlID: c.CrawlID, ACL: proto.ACL{Public: true},
			}}
			subject := proto.For(site).Document(c.SpaceID, c.ID)
			if err := pub.Publish(ctx, subject, doc, proto.MsgID("doc", c.ID, c.Version, c.CrawlID)); err != nil {
				return err
			}
		}
		if calls.Add(1) == int64(n) {
			close(handled)
		}
		return nil
	}, handled
}

// fill stores n fetched pages with 4 KiB bodies in the content stream,
// as bus.Publisher would (schema and crawl headers, message id), with
// asynchronous publishes.
func fill(b *testing.B, ctx context.Context, js jetstream.JetStream, n int) {
	b.Helper()
	para := "<p>Restart the <strong>ingest</strong> workers one at a time; see <ac:link><ri:page ri:content-title=\"Runbook\" /></ac:link>.</p>\n"
	body := strings.Repeat(para, 4<<10/len(para)+1)[:4<<10]
	const window = 512
	for i := range n {
		m := content(fmt.Sprint(1_000_000 + i))
		m.Body = body
		data, err := bus.Encode(m)
		if err != nil {
			b.Fatal(err)
		}
		msg := &nats.Msg{Subject: proto.For(site).Content(m.SpaceID, m.ID), Data: data, Header: nats.Header{}}
		msg.Header.Set(proto.HeaderSchema, m.Schema().String())
		msg.Header.Set(proto.HeaderCrawl, m.CrawlID)
		if _, err := js.PublishMsgAsync(msg, jetstream.WithMsgID(proto.MsgID("content", m.ID, m.Version, m.CrawlID))); err != nil {
			b.Fatal(err)
		}
		if (i+1)%window == 0 || i == n-1 {
			select {
			case <-js.PublishAsyncComplete():
			case <-ctx.Done():
				b.Fatal("publishing timed out")
			}
		}
	}
	st, err := js.Stream(ctx, proto.StreamContent)
	if err != nil {
		b.Fatal(err)
	}
	if got := st.CachedInfo().State.Msgs; got != uint64(n) {
		b.Fatalf("content stream holds %d messages, want %d", got, n)
	}
}

// checkRun fails b unless every message was acked once and nothing is
// left pending; with forward, every message became a document.
func checkRun(b *testing.B, ctx context.Context, js jetstream.JetStream, st stage.Stats, forward bool) {
	b.Helper()
	if st.Acked != uint64(b.N) || st.Retried != 0 || st.DeadLettered != 0 {
		b.Fatalf("stats %+v for %d messages", st, b.N)
	}
	for {
		c, err := js.Consumer(ctx, proto.StreamContent, durable)
		if err != nil {
			b.Fatal(err)
		}
		if i := c.CachedInfo(); i.NumPending == 0 && i.NumAckPending == 0 {
			break
		}
		select {
		case <-ctx.Done():
			b.Fatal("consumer still has pending messages")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !forward {
		return
	}
	docs, err := js.Stream(ctx, proto.StreamDocuments)
	if err != nil {
		b.Fatal(err)
	}
	if got := docs.CachedInfo().State.Msgs; got != uint64(b.N) {
		b.Fatalf("documents stream holds %d messages, want %d", got, b.N)
	}
}
