package app_test

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/benchrow"
)

// Latency-bound crawl: every call takes latencyBenchDelay and the site
// allows latencyBenchRate requests per second (conflux is told the same
// rate through crawl.requests_per_second).
const (
	latencyBenchDelay = 80 * time.Millisecond
	latencyBenchRate  = 40.0
)

// BenchmarkLatencyBound crawls a few thousand items through a slow,
// rate-limited site and compares the wall time with the lower bound the
// rate sets: the calls the API forces (minimumCalls) plus one download
// per attachment, divided by the rate.
func BenchmarkLatencyBound(b *testing.B) {
	size := confluencesim.Size{Spaces: 4, PagesPerSpace: scaled(1000, 30), BlogsPerSpace: scaled(50, 3),
		Users: 50, Groups: 10, MaxDepth: 6, RestrictedShare: 0.1, CommentsPerPage: 0.3,
		AttachmentsPerPage: 0.5, AttachmentBytes: 4096}
	for b.Loop() {
		tn := confluencesim.Generate(13, size)
		timeline := &benchrow.Calls{}
		simOpts := confluencesim.Options{Latency: latencyBenchDelay, Rate: latencyBenchRate,
			SearchLag: time.Second, ExpandLabelLimit: 50, ExpandRestrictionLimit: 100}
		if benchrow.CallsWanted() {
			simOpts.Logger = slog.New(timeline)
		}
		h := start(b, tn, simOpts, func(c *config.Config) {
			c.Crawl.RequestsPerSecond = latencyBenchRate
			c.Crawl.Concurrency = 16
		})
		before := h.sim.Counters()
		started := time.Now()
		res := h.crawl(proto.CrawlFull, false)
		took := time.Since(started)
		if benchrow.CallsWanted() {
			timeline.Report(os.Stderr, started, started.Add(took), latencyBenchRate)
		}
		if !res.OK {
			b.Fatalf("crawl failed: %s", strings.Join(res.Failures, "\n"))
		}
		c := h.callsSince(before)
		after := h.sim.Counters()
		min := minimumCalls(tn).total() + (c.all - c.api) // every download is one call
		bound := time.Duration(float64(min) / latencyBenchRate * float64(time.Second))
		ratio := took.Seconds() / bound.Seconds()
		docs := len(expected(tn, false))
		b.ReportMetric(ratio, "wall/bound")
		recordBench(b, "latency-bound", benchRow{Bench: "Latency-bound crawl", Metric: "full crawl wall time",
			Value: took.Seconds(), Unit: "s",
			Reference: fmt.Sprintf("lower bound %.1f s = %d calls ÷ %g/s (%d made, %d answered 429)", bound.Seconds(), min, latencyBenchRate, c.all, after.RateLimited-before.RateLimited),
			Ratio:     ratio, Target: "≤ 1.15× bound", Met: met(ratio <= 1.15),
			Note: fmt.Sprintf("%d documents, %s per call, site limit %g/s, crawl.requests_per_second %g, concurrency 16, scale %g", docs, latencyBenchDelay, latencyBenchRate, latencyBenchRate, benchScale())})
	}
}
