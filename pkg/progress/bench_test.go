package progress_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
)

// BenchmarkStatus measures one completion check of a crawl whose space
// has 20,000 recorded outcomes: the coordinator and `run --once` make one
// a second while a crawl runs.
func BenchmarkStatus(b *testing.B) {
	const items = 20000
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, js := natstest.Connect(b, natstest.Start(b))
	if err := bus.EnsureTopology(ctx, js, "https://acme.atlassian.net", proto.Options{}); err != nil {
		b.Fatal(err)
	}
	tr, err := progress.Open(ctx, js)
	if err != nil {
		b.Fatal(err)
	}
	must(b, tr.PutMeta(ctx, proto.CrawlMeta{CrawlID: "c", Kind: proto.CrawlIncremental, Spaces: map[string]string{"1": "ENG"}, EnumerationDone: true}))
	must(b, tr.Listing(ctx, "c", "1", proto.Listing{SpaceKey: "ENG", Items: items}))
	kv, err := js.KeyValue(ctx, proto.BucketProgress)
	if err != nil {
		b.Fatal(err)
	}
	putMany(b, ctx, kv, items)
	b.ResetTimer()
	for b.Loop() {
		st, err := tr.Status(ctx, "c")
		if err != nil || !st.Complete {
			b.Fatalf("status %+v, %v", st.Spaces, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/items, "µs/outcome")
}

func putMany(b *testing.B, ctx context.Context, kv jetstream.KeyValue, n int) {
	b.Helper()
	tr := progress.New(kv)
	for i := range n {
		must(b, tr.Outcome(ctx, "c", "1", strconv.Itoa(i), proto.Outcome{State: proto.OutcomeWritten, Stage: "sink"}))
	}
}
