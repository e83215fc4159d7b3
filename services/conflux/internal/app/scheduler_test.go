package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// Without --once, conflux crawls on its schedule: a full crawl at start,
// then incremental and permission-only crawls on their intervals, one at a
// time, each with its summary.
func TestSchedulerRunsEveryKindOfCrawl(t *testing.T) {
	h := start(t, confluencesim.Generate(61, confluencesim.Size{Spaces: 2, PagesPerSpace: 8}), confluencesim.Options{}, nil)
	var out syncBuffer
	every := config.Crawl{FullEvery: config.Duration(time.Hour),
		IncrementalEvery: config.Duration(2 * time.Second), PermissionsEvery: config.Duration(3 * time.Second)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Scheduler{App: h.app, Every: every, Out: &out}.Run(ctx, nil) }()
	waitUntil(t, "a full, an incremental and a permission-only crawl", func() bool {
		s := out.String()
		return strings.Contains(s, "(full) complete") && strings.Contains(s, "(incremental) complete") &&
			strings.Contains(s, "(permissions) complete")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "with failures") {
		t.Errorf("a scheduled crawl failed:\n%s", out.String())
	}
	checkSink(t, h, h.sim.Tenant())
}
