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

// BenchmarkStatus measures one completion check of a crawl whose 8
// spaces have 20,000 recorded outcomes: the coordinator and `run --once`
// make one a second while a crawl runs.
func BenchmarkStatus(b *testing.B) {
	const items, spaces = 20000, 8
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
	meta := proto.CrawlMeta{CrawlID: "c", Kind: proto.CrawlIncremental, Spaces: map[string]string{}, EnumerationDone: true}
	for i := range spaces {
		meta.Spaces[strconv.Itoa(i)] = "S" + strconv.Itoa(i)
	}
	must(b, tr.PutMeta(ctx, meta))
	for id, key := range meta.Spaces {
		must(b, tr.Listing(ctx, "c", id, proto.Listing{SpaceKey: key, Items: items / spaces}))
	}
	kv, err := js.KeyValue(ctx, proto.BucketProgress)
	if err != nil {
		b.Fatal(err)
	}
	putMany(b, ctx, kv, items, spaces)
	b.ResetTimer()
	for b.Loop() {
		st, err := tr.Status(ctx, "c")
		if err != nil || !st.Complete {
			b.Fatalf("status %+v, %v", st.Spaces, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/items, "µs/outcome")
}

func putMany(b *testing.B, ctx context.Context, kv jetstream.KeyValue, n, spaces int) {
	b.Helper()
	tr := progress.New(kv)
	for i := range n {
		must(b, tr.Outcome(ctx, "c", strconv.Itoa(i%spaces), strconv.Itoa(i), proto.Outcome{State: proto.OutcomeWritten, Stage: "sink"}))
	}
}
