package app_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

// costSize is the tenant of the API-cost benchmark: about 51,000
// documents in ten spaces (pages and folders up to eight levels deep,
// ~10 % restricted, about a fifth of pages with comments, ~2 % with
// attachments). BENCH_SCALE (e.g. 0.1) shrinks it for a quick look.
func costSize() confluencesim.Size {
	scale := benchScale()
	return confluencesim.Size{Spaces: 10, PagesPerSpace: int(4200 * scale), BlogsPerSpace: int(250 * scale),
		Users: 200, Groups: 20, MaxDepth: 8, RestrictedShare: 0.1, CommentsPerPage: 0.2,
		AttachmentsPerPage: 0.02, AttachmentBytes: 2048}
}

// calls are the API requests of one crawl: all, without downloads, and
// by endpoint.
type calls struct {
	all, api int
	by       []string
}

func (h *harness) callsSince(before confluencesim.Counters) calls {
	after := h.sim.Counters()
	c := calls{all: int(after.Requests - before.Requests)}
	c.api = c.all
	for ep, n := range after.Endpoints {
		d := int(n - before.Endpoints[ep])
		if d == 0 {
			continue
		}
		if strings.Contains(ep, "download") {
			c.api -= d
		}
		c.by = append(c.by, fmt.Sprintf("%d %s", d, ep))
	}
	sort.Strings(c.by)
	return c
}

// BenchmarkAPICost crawls a ≥50,000-document tenant in full, then
// incrementally after 10 changes, then permissions only, and reports the
// API calls of each next to the minimum that the API forces at its
// largest page sizes (minimumCalls). It checks the sink against the
// tenant after the full crawl.
func BenchmarkAPICost(b *testing.B) {
	for b.Loop() {
		h := start(b, confluencesim.Generate(7, costSize()), confluencesim.Options{
			SearchLag: time.Second, ExpandLabelLimit: 50, ExpandRestrictionLimit: 100}, nil)
		before := h.sim.Counters()
		started := time.Now()
		res := h.crawl(proto.CrawlFull, false)
		full, fullTook := h.callsSince(before), time.Since(started)
		if !res.OK {
			b.Fatalf("full crawl failed: %s", strings.Join(res.Failures, "\n"))
		}
		tn := h.sim.Tenant()
		checkSink(b, h, tn)
		docs := len(expected(tn, false))
		min := minimumCalls(tn)

		changeTen(b, h)
		before = h.sim.Counters()
		if res := h.crawl(proto.CrawlIncremental, false); !res.OK {
			b.Fatalf("incremental crawl failed: %s", strings.Join(res.Failures, "\n"))
		}
		incr := h.callsSince(before)
		checkSink(b, h, h.sim.Tenant())

		before = h.sim.Counters()
		if res := h.crawl(proto.CrawlPermissions, false); !res.OK {
			b.Fatalf("permission-only sync failed: %s", strings.Join(res.Failures, "\n"))
		}
		perm := h.callsSince(before)
		spaces := len(res.Spaces)

		perDoc := func(n int) float64 { return float64(n) / float64(docs) }
		b.ReportMetric(perDoc(full.api), "full-calls/doc")
		b.ReportMetric(float64(full.api)/float64(min.total()), "full/minimum")
		b.ReportMetric(float64(incr.api), "incremental-calls")
		b.ReportMetric(perDoc(perm.api), "permission-calls/doc")
		fmt.Printf("\nAPI cost on a generated tenant: %d documents in %d spaces (full crawl took %s)\n", docs, spaces, fullTook.Round(time.Second))
		fmt.Printf("| crawl | API calls (no downloads) | per document | minimum the API forces | ratio | target |\n|---|---|---|---|---|---|\n")
		fmt.Printf("| full, with permissions | %d | %.4f | %d | %.2f × | ≤ 0.05 / doc, ≤ 1.3 × minimum |\n", full.api, perDoc(full.api), min.total(), float64(full.api)/float64(min.total()))
		fmt.Printf("| incremental, 10 changes | %d | — | %d spaces + 20 = %d | — | ≤ one per space + id listing + 20 |\n", incr.api, spaces, spaces+20)
		fmt.Printf("| permission-only | %d | %.4f | — | — | ≤ 0.02 / doc |\n", perm.api, perDoc(perm.api))
		fmt.Printf("minimum of the full crawl, term by term: %s\n", min)
		fmt.Printf("downloads (not counted above): %d\n", full.all-full.api)
		ratio := float64(full.api) / float64(min.total())
		note := fmt.Sprintf("%d documents, %d spaces, scale %g", docs, spaces, benchScale())
		recordBench(b, "api-cost",
			benchRow{Bench: "API cost", Metric: "full crawl, calls per document", Value: perDoc(full.api), Unit: "calls/doc",
				Reference: fmt.Sprintf("%d calls, minimum %d", full.api, min.total()), Ratio: ratio,
				Target: "≤ 0.05/doc, ≤ 1.3× minimum", Met: met(perDoc(full.api) <= 0.05 && ratio <= 1.3), Note: note},
			benchRow{Bench: "API cost", Metric: "incremental crawl, 10 changes", Value: float64(incr.api), Unit: "calls",
				Reference: fmt.Sprintf("%d spaces + 20 = %d", spaces, spaces+20),
				Target:    "≤ one per space + id listing + 20", Met: met(incr.api <= spaces+20+spaces)},
			benchRow{Bench: "API cost", Metric: "permission-only sync, calls per document", Value: perDoc(perm.api), Unit: "calls/doc",
				Reference: fmt.Sprintf("%d calls", perm.api), Target: "≤ 0.02/doc", Met: met(perDoc(perm.api) <= 0.02)})
		for _, c := range []struct {
			name string
			c    calls
		}{{"full", full}, {"incremental", incr}, {"permission-only", perm}} {
			fmt.Printf("%s by endpoint: %s\n", c.name, strings.Join(c.c.by, "; "))
		}
	}
}

// changeTen makes ten content changes: edits, a new page, comments and an
// attachment.
func changeTen(b *testing.B, h *harness) {
	pages := currentOf(h.sim.Tenant(), "page")
	for i := range 10 {
		p := pages[(i*997)%len(pages)]
		var err error
		switch i % 4 {
		case 0:
			err = h.sim.EditPage(p.ID, fmt.Sprintf("<p>edit %d</p>", i))
		case 1:
			_, err = h.sim.AddPage(confluencesim.Content{SpaceID: p.SpaceID, ParentID: p.ID, Title: fmt.Sprint("new ", i), Body: "<p>x</p>"})
		case 2:
			_, err = h.sim.AddPage(confluencesim.Content{Type: "comment", CommentKind: "footer", ContainerID: p.ID, Title: "c", Body: "<p>c</p>"})
		case 3:
			_, err = h.sim.AddAttachment(confluencesim.Attachment{ContainerID: p.ID, Title: fmt.Sprint("f", i, ".txt"), Data: []byte("data")})
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
