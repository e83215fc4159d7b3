package app_test

import (
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

func TestEstimate(t *testing.T) {
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	meta := proto.CrawlMeta{Started: start, EnumerationDone: true, Spaces: map[string]string{"1": "A", "2": "B", "3": "C"}}
	for _, c := range []struct {
		name   string
		spaces []proto.SpaceProgress
		want   string
	}{
		{"nothing listed yet", nil, "spaces 0/3  items 0/~0  failed 0  deleted 0  0.0 items/s  eta ? (listing)"},
		{"one space listed, one listing, one not started", []proto.SpaceProgress{
			{SpaceKey: "A", ListingDone: true, Listed: 100, Written: 60},
			{SpaceKey: "B", Listed: 20, Written: 20},
		}, "spaces 0/3  items 80/~300  failed 0  deleted 0  1.3 items/s  eta ~2m45s"},
		{"all listed", []proto.SpaceProgress{
			{SpaceKey: "A", ListingDone: true, Listed: 100, Written: 100},
			{SpaceKey: "B", ListingDone: true, Listed: 50, Written: 40, Failed: 2},
			{SpaceKey: "C", ListingDone: true, Listed: 30, Dropped: 38},
		}, "spaces 2/3  items 180/180  failed 2  deleted 0  3.0 items/s  eta 0s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := app.EstimateOf(progress.Status{Meta: meta, Spaces: c.spaces}, start.Add(time.Minute)).String()
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}
