package progress_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
)

func open(t *testing.T) (*progress.Tracker, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	_, js := natstest.Connect(t, natstest.Start(t))
	if err := bus.EnsureTopology(ctx, js, "https://acme.atlassian.net", proto.Options{}); err != nil {
		t.Fatal(err)
	}
	tr, err := progress.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	return tr, ctx
}

func TestCompletionIsCountedNotGuessed(t *testing.T) {
	tr, ctx := open(t)
	meta := proto.CrawlMeta{CrawlID: "c1", Kind: proto.CrawlIncremental, Spaces: map[string]string{"1": "ENG", "2": "OPS"}, EnumerationDone: true}
	must(t, tr.PutMeta(ctx, meta))
	// Every step is read twice: afresh, and as a poller keeping the
	// spaces found done (the coordinator, Wait) does; both must agree.
	done := progress.DoneSpaces{}
	status := func() progress.Status {
		st, err := tr.Status(ctx, "c1")
		must(t, err)
		kept, err := tr.StatusKeeping(ctx, "c1", done)
		must(t, err)
		if kept.Complete != st.Complete || kept.Totals() != st.Totals() {
			t.Fatalf("polling with the done spaces kept: complete %v %+v; afresh: complete %v %+v",
				kept.Complete, kept.Totals(), st.Complete, st.Totals())
		}
		return st
	}
	if status().Complete {
		t.Fatal("complete before any listing")
	}
	must(t, tr.Listing(ctx, "c1", "1", proto.Listing{SpaceKey: "ENG", Items: 2, Attachments: 1}))
	must(t, tr.Listing(ctx, "c1", "2", proto.Listing{SpaceKey: "OPS"}))
	written := proto.Outcome{State: proto.OutcomeWritten, Stage: "sink"}
	must(t, tr.Outcome(ctx, "c1", "1", "10", written))
	must(t, tr.Outcome(ctx, "c1", "1", "10", written)) // a redelivery does not count twice
	must(t, tr.Outcome(ctx, "c1", "1", "att11", written))
	if status().Complete {
		t.Fatal("complete with 2 of 3 items")
	}
	if _, ok := done["2"]; !ok || len(done) != 1 {
		t.Fatalf("spaces kept as done: %v; want the empty space 2 only", done)
	}
	must(t, tr.Outcome(ctx, "c1", "1", "12", proto.Outcome{State: proto.OutcomeFailed, Stage: "permissions", Reason: "boom"}))
	st := status()
	if !st.Complete {
		t.Fatalf("not complete: %+v", st.Spaces)
	}
	if tot := st.Totals(); tot.Listed != 3 || tot.Written != 2 || tot.Failed != 1 {
		t.Fatalf("totals %+v", tot)
	}
	res, err := tr.Summarize(ctx, st)
	must(t, err)
	if res.OK || len(res.Failures) != 1 {
		t.Fatalf("summary %+v", res)
	}
	first, err := tr.Finish(ctx, res)
	must(t, err)
	again, err := tr.Finish(ctx, res)
	must(t, err)
	if !first || again {
		t.Fatalf("finish recorded first=%v again=%v; want once", first, again)
	}
	active, err := tr.Active(ctx)
	must(t, err)
	if len(active) != 0 {
		t.Fatalf("finished crawl still active: %v", active)
	}
}

func TestWrittenIsNotUndoneByALateFailure(t *testing.T) {
	tr, ctx := open(t)
	must(t, tr.Outcome(ctx, "c2", "1", "10", proto.Outcome{State: proto.OutcomeWritten}))
	must(t, tr.Outcome(ctx, "c2", "1", "10", proto.Outcome{State: proto.OutcomeFailed, Reason: "late"}))
	seen, err := tr.SeenItems(ctx, "c2", "1")
	must(t, err)
	if seen["10"].State != proto.OutcomeWritten {
		t.Fatalf("outcome %+v", seen["10"])
	}
}

func TestFullCrawlWaitsForSweepAndTombstones(t *testing.T) {
	tr, ctx := open(t)
	must(t, tr.PutMeta(ctx, proto.CrawlMeta{CrawlID: "c3", Kind: proto.CrawlFull, Spaces: map[string]string{"1": "ENG"}, EnumerationDone: true}))
	must(t, tr.Listing(ctx, "c3", "1", proto.Listing{SpaceKey: "ENG", Items: 1}))
	must(t, tr.Outcome(ctx, "c3", "1", "10", proto.Outcome{State: proto.OutcomeWritten}))
	complete := func() bool {
		st, err := tr.Status(ctx, "c3")
		must(t, err)
		return st.Complete
	}
	if complete() {
		t.Fatal("a full crawl is complete before its sweep")
	}
	created, err := tr.Sweep(ctx, "c3", "1", proto.Sweep{Deleted: []string{"9"}})
	must(t, err)
	if again, _ := tr.Sweep(ctx, "c3", "1", proto.Sweep{}); !created || again {
		t.Fatalf("sweep recorded created=%v again=%v; want first writer only", created, again)
	}
	if complete() {
		t.Fatal("complete before the tombstone was applied")
	}
	must(t, tr.Deletion(ctx, "c3", "1", "9"))
	if !complete() {
		t.Fatal("not complete after the tombstone")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheckpoints(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, js := natstest.Connect(t, natstest.Start(t))
	if err := bus.EnsureTopology(ctx, js, "https://acme.atlassian.net", proto.Options{}); err != nil {
		t.Fatal(err)
	}
	cp, err := progress.OpenCheckpoints(ctx, js, "https://acme.atlassian.net")
	must(t, err)
	if got := cp.Get(ctx, "98304"); !got.IsZero() {
		t.Fatalf("checkpoint before any: %v", got)
	}
	at := time.Date(2026, 11, 28, 21, 0, 0, 123, time.FixedZone("CET", 3600))
	must(t, cp.Put(ctx, "98304", at))
	if got := cp.Get(ctx, "98304"); !got.Equal(at) {
		t.Fatalf("checkpoint %v, want %v", got, at)
	}
}

// A crawl with more noted or failed items than a result can hold still
// finishes: the lists are cut, with a count of what was left out (a
// permission-only sync of 43,000 documents once never finished because
// its result passed the 1 MiB limit of a KV value).
func TestResultOfAHugeCrawlFits(t *testing.T) {
	tr, ctx := open(t)
	const n = 3000
	meta := proto.CrawlMeta{CrawlID: "big", Kind: proto.CrawlPermissions, Spaces: map[string]string{"1": "ENG"}, EnumerationDone: true}
	must(t, tr.PutMeta(ctx, meta))
	must(t, tr.Listing(ctx, "big", "1", proto.Listing{SpaceKey: "ENG", Items: n}))
	reason := strings.Repeat("a long reason that a sink gave for this item ", 10)
	for i := range n {
		must(t, tr.Outcome(ctx, "big", "1", fmt.Sprint(i), proto.Outcome{State: proto.OutcomeFailed, Stage: "sink", Reason: reason}))
	}
	st, err := tr.Status(ctx, "big")
	must(t, err)
	res, err := tr.Summarize(ctx, st)
	must(t, err)
	if len(res.Failures) != 1001 || !strings.Contains(res.Failures[1000], "2000 more") {
		t.Fatalf("%d failures, last %q", len(res.Failures), res.Failures[len(res.Failures)-1])
	}
	if first, err := tr.Finish(ctx, res); err != nil || !first {
		t.Fatalf("finish: %v %v", first, err)
	}
}

// Wait returns a crawl's result once it is recorded, whether it reports
// progress on the way (every outcome read each poll) or not (the result
// only).
func TestWaitReturnsTheResult(t *testing.T) {
	for _, withStatus := range []bool{false, true} {
		t.Run(fmt.Sprintf("status=%v", withStatus), func(t *testing.T) {
			tr, ctx := open(t)
			meta := proto.CrawlMeta{CrawlID: "c1", Kind: proto.CrawlIncremental, Spaces: map[string]string{"1": "ENG"}, EnumerationDone: true}
			must(t, tr.PutMeta(ctx, meta))
			must(t, tr.Listing(ctx, "c1", "1", proto.Listing{SpaceKey: "ENG", Items: 1}))
			must(t, tr.Outcome(ctx, "c1", "1", "10", proto.Outcome{State: proto.OutcomeWritten, Stage: "sink"}))
			polls := 0
			var onStatus func(progress.Status)
			if withStatus {
				onStatus = func(st progress.Status) {
					polls++
					if tot := st.Totals(); tot.Written != 1 {
						t.Errorf("status written %d, want 1", tot.Written)
					}
				}
			}
			go func() {
				time.Sleep(100 * time.Millisecond)
				st, err := tr.Status(ctx, "c1")
				if err != nil {
					t.Error(err)
					return
				}
				res, err := tr.Summarize(ctx, st)
				if err == nil {
					_, err = tr.Finish(ctx, res)
				}
				if err != nil {
					t.Error(err)
				}
			}()
			res, err := tr.Wait(ctx, "c1", 10*time.Millisecond, onStatus)
			must(t, err)
			if res.CrawlID != "c1" || !res.OK || progress.Sum(res.Spaces).Written != 1 {
				t.Errorf("result %+v", res)
			}
			if withStatus && polls == 0 {
				t.Error("onStatus never called")
			}
		})
	}
}
