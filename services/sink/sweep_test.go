package sink

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/proto"
)

func TestPlanSweep(t *testing.T) {
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	before, after := start.Add(-time.Hour), start.Add(time.Minute)
	docs := func(n int, at time.Time) []docEntry {
		var out []docEntry
		for i := range n {
			out = append(out, docEntry{ID: fmt.Sprint(i), Ready: true, At: at})
		}
		return out
	}
	seen := func(ids ...int) map[string]proto.Outcome {
		m := map[string]proto.Outcome{}
		for _, id := range ids {
			m[fmt.Sprint(id)] = proto.Outcome{State: proto.OutcomeWritten}
		}
		return m
	}
	tests := []struct {
		name    string
		force   bool
		docs    []docEntry
		seen    map[string]proto.Outcome
		deleted []string
		refused string
	}{
		{"nothing missing", false, docs(3, before), seen(0, 1, 2), []string{}, ""},
		{"empty space", false, nil, seen(), []string{}, ""},
		{"half may go", false, docs(4, before), seen(0, 1), []string{"2", "3"}, ""},
		{"more than half refused", false, docs(4, before), seen(0), nil, "would delete 3 of 4 documents (more than 50%); rerun with --force"},
		{"forced", true, docs(4, before), seen(0), []string{"1", "2", "3"}, ""},
		{"all gone refused", false, docs(2, before), seen(), nil, "would delete 2 of 2 documents"},
		{"dropped and failed items are not deleted", false, docs(3, before),
			map[string]proto.Outcome{"0": {State: proto.OutcomeDropped}, "1": {State: proto.OutcomeFailed}}, []string{"2"}, ""},
		{"published during the crawl by another crawl", false, docs(2, after), seen(), []string{}, ""},
		{"tombstones neither counted nor deleted", false,
			append(docs(2, before), docEntry{ID: "9", Deleted: true, At: before}, docEntry{ID: "8", Deleted: true, At: before}),
			seen(0), []string{"1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meta := proto.CrawlMeta{CrawlID: "c", Kind: proto.CrawlFull, Started: start, Force: tt.force}
			got := planSweep(meta, tt.docs, tt.seen, 0.5)
			if tt.refused != "" {
				if !strings.HasPrefix(got.Refused, tt.refused) || len(got.Deleted) != 0 {
					t.Errorf("got %+v, want refused %q", got, tt.refused)
				}
				return
			}
			if got.Refused != "" || !slices.Equal(got.Deleted, tt.deleted) {
				t.Errorf("got %+v, want deleted %v", got, tt.deleted)
			}
		})
	}
}

// TestSweep runs two sink replicas over one crawl with four spaces: S1 lost
// two documents (deleted), S2's listing failed (nothing deleted), S3 lost
// three of four (refused by the guard, then deleted by a forced crawl), S4
// is incomplete until its last outcome arrives.
func TestSweep(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.start() // a second replica: sweeps must still happen once
	ctx := testContext(t)

	spaces := map[string][]string{"S1": ids(1, 10), "S2": ids(21, 24), "S3": ids(31, 34), "S4": ids(41, 42)}
	for sp, list := range spaces {
		for _, id := range list {
			e.ready(page("c0", sp, id, 1))
		}
	}
	for sp, list := range spaces {
		e.waitWritten("c0", sp, list...)
	}
	started := time.Now().UTC()
	time.Sleep(20 * time.Millisecond)

	meta := proto.CrawlMeta{CrawlID: "c1", Kind: proto.CrawlFull, Site: testSite, Started: started,
		Spaces: map[string]string{"S1": "KS1", "S2": "KS2", "S3": "KS3", "S4": "KS4"}, EnumerationDone: true}
	if err := e.tracker.PutMeta(ctx, meta); err != nil {
		t.Fatal(err)
	}
	crawl := func(crawlID, space string, seen []string, listing proto.Listing) {
		t.Helper()
		for _, id := range seen {
			e.ready(page(crawlID, space, id, 1))
		}
		e.waitWritten(crawlID, space, seen...)
		if err := e.tracker.Listing(ctx, crawlID, space, listing); err != nil {
			t.Fatal(err)
		}
	}
	crawl("c1", "S1", ids(1, 8), proto.Listing{Items: 8})
	crawl("c1", "S2", ids(21, 21), proto.Listing{Items: 1, Error: "list pages: status 500"})
	crawl("c1", "S3", ids(31, 31), proto.Listing{Items: 1})
	crawl("c1", "S4", ids(41, 41), proto.Listing{Items: 2})

	sweep := func(crawlID, space string) proto.Sweep {
		t.Helper()
		var sw proto.Sweep
		eventually(t, "sweep of "+space, func() bool {
			s, ok, err := e.tracker.GetSweep(ctx, crawlID, space)
			if err != nil {
				t.Fatal(err)
			}
			sw = s
			return ok
		})
		return sw
	}
	if sw := sweep("c1", "S1"); !slices.Equal(sw.Deleted, []string{"10", "9"}) || sw.Refused != "" {
		t.Errorf("S1 sweep = %+v", sw)
	}
	eventually(t, "tombstones of S1 applied", func() bool { return !e.hasDoc("9") && !e.hasDoc("10") })
	eventually(t, "deletions of S1 recorded", func() bool {
		d, _ := e.tracker.Deleted(ctx, "c1", "S1")
		return len(d) == 2
	})
	if sw := sweep("c1", "S3"); sw.Refused != "would delete 3 of 4 documents (more than 50%); rerun with --force" || len(sw.Deleted) != 0 {
		t.Errorf("S3 sweep = %+v", sw)
	}

	// Let the sweepers run a while: S2 (listing error) and S4 (incomplete)
	// must stay untouched.
	time.Sleep(time.Second)
	for _, sp := range []string{"S2", "S4"} {
		if _, ok, _ := e.tracker.GetSweep(ctx, "c1", sp); ok {
			t.Errorf("%s swept", sp)
		}
	}
	for _, id := range append(append(ids(22, 24), ids(32, 34)...), "42") {
		if !e.hasDoc(id) {
			t.Errorf("document %s deleted", id)
		}
	}

	// S4's last item is dropped: now complete, and nothing to delete.
	if err := e.tracker.Outcome(ctx, "c1", "S4", "42", proto.Outcome{State: proto.OutcomeDropped, Stage: "fetcher"}); err != nil {
		t.Fatal(err)
	}
	if sw := sweep("c1", "S4"); len(sw.Deleted) != 0 || sw.Refused != "" {
		t.Errorf("S4 sweep = %+v", sw)
	}

	// A forced crawl deletes what the guard refused.
	forced := proto.CrawlMeta{CrawlID: "c2", Kind: proto.CrawlFull, Site: testSite, Started: time.Now().UTC(),
		Force: true, Spaces: map[string]string{"S3": "KS3"}, EnumerationDone: true}
	time.Sleep(20 * time.Millisecond)
	if err := e.tracker.PutMeta(ctx, forced); err != nil {
		t.Fatal(err)
	}
	crawl("c2", "S3", ids(31, 31), proto.Listing{Items: 1})
	if sw := sweep("c2", "S3"); !slices.Equal(sw.Deleted, ids(32, 34)) {
		t.Errorf("forced S3 sweep = %+v", sw)
	}
	eventually(t, "forced deletions applied", func() bool {
		d, _ := e.tracker.Deleted(ctx, "c2", "S3")
		return len(d) == 3
	})
	got, _ := e.sink.List("S3")
	if len(got) != 1 || got[0].ID != "31" {
		t.Errorf("S3 holds %d documents after the forced sweep", len(got))
	}

	// Every message the docs stream ever stored: no tombstone twice.
	info, err := e.js.Stream(ctx, proto.StreamDocuments)
	if err != nil {
		t.Fatal(err)
	}
	const want = 20 + 11 + 2 + 1 + 3 // c0 docs, c1 docs, S1 tombstones, c2 doc, S3 tombstones
	if n := info.CachedInfo().State.LastSeq; n != want {
		t.Errorf("docs stream stored %d messages, want %d", n, want)
	}
}

// ids returns the decimal ids from..to.
func ids(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprint(i))
	}
	return out
}

// TestSweepResumesLostTombstones: a replica recorded a sweep and died
// before publishing; another one publishes the tombstones.
func TestSweepResumesLostTombstones(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	e.start()
	for _, id := range ids(1, 4) {
		e.ready(page("c0", "S1", id, 1))
	}
	e.waitWritten("c0", "S1", ids(1, 4)...)
	meta := proto.CrawlMeta{CrawlID: "c1", Kind: proto.CrawlFull, Site: testSite, Started: time.Now().UTC(),
		Spaces: map[string]string{"S1": "KS1"}, EnumerationDone: true}
	time.Sleep(20 * time.Millisecond)
	// The dead replica's sweep record, before the space is even complete
	// as far as the others are concerned.
	if _, err := e.tracker.Sweep(ctx, "c1", "S1", proto.Sweep{Deleted: []string{"4"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.tracker.PutMeta(ctx, meta); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids(1, 3) {
		e.ready(page("c1", "S1", id, 1))
	}
	e.waitWritten("c1", "S1", ids(1, 3)...)
	if err := e.tracker.Listing(ctx, "c1", "S1", proto.Listing{Items: 3}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "resumed deletion", func() bool {
		d, _ := e.tracker.Deleted(ctx, "c1", "S1")
		return len(d) == 1 && !e.hasDoc("4")
	})
}
