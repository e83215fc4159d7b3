package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

// TestReplayStage re-drives the sink from the start of the documents
// stream: every document is delivered and written again, without a
// Confluence call, and the sink's output still equals the tenant.
func TestReplayStage(t *testing.T) {
	h := start(t, confluencesim.Generate(31, confluencesim.Size{Spaces: 2, PagesPerSpace: 10}), confluencesim.Options{}, nil)
	requireOK(t, h.crawl(proto.CrawlFull, false))
	ctx := context.Background()
	durable := proto.Durable(proto.StageSink, "docs", h.cfg.Site)
	cons, err := h.app.JS.Consumer(ctx, proto.StreamDocuments, durable)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := cons.Info(ctx)
	calls := h.sim.Counters().Requests

	replayed := time.Now()
	done, err := h.app.ReplayStage(ctx, proto.StageSink, bus.StartAt{Sequence: 1})
	if err != nil || len(done) != 1 || done[0].From != 1 || done[0].Durable != durable {
		t.Fatalf("replay: %+v, %v", done, err)
	}
	waitFor(t, time.Minute, func() bool {
		info, err := cons.Info(ctx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0 &&
			info.Delivered.Last != nil && info.Delivered.Last.After(replayed) &&
			info.AckFloor.Stream >= before.AckFloor.Stream
	})
	// The reset consumer counts its deliveries afresh: all of them are
	// the replay's.
	after, _ := cons.Info(ctx)
	if again, docs := after.Delivered.Consumer, len(h.documents()); again < uint64(docs) {
		t.Errorf("the replay delivered %d messages again, fewer than the %d documents", again, docs)
	}
	if h.sim.Counters().Requests != calls {
		t.Errorf("the replay called Confluence %d times", h.sim.Counters().Requests-calls)
	}
	checkSink(t, h, h.sim.Tenant())

	if _, err := h.app.ReplayStage(ctx, proto.StageTokenBroker, bus.StartAt{Sequence: 1}); err == nil {
		t.Error("replaying the token broker (no input stream) did not fail")
	}
}
