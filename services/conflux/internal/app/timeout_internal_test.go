package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
)

// TestTimeoutSaysWhatWasPending: the message of a crawl that timed out
// counts its open documents, names the spaces still listing and each
// stage with a backlog, and is a deadline error (exit code 6).
func TestTimeoutSaysWhatWasPending(t *testing.T) {
	st := progress.Status{
		Meta: proto.CrawlMeta{CrawlID: "c1", EnumerationDone: true},
		Spaces: []proto.SpaceProgress{
			{SpaceKey: "ENG", ListingDone: true, Listed: 300, Written: 290, Failed: 1},
			{SpaceKey: "OPS", ListingDone: false, Listed: 40, Written: 37},
		},
	}
	what, parts := crawlPending(st)
	parts = append(parts, stagesPending(bus.Report{Stages: []bus.StageStatus{
		{Stage: proto.StageFetcher},
		{Stage: proto.StagePermissions, Pending: 9, AckPending: 3},
	}})...)
	e := &TimeoutError{CrawlID: "c1", After: 60 * time.Second, Pending: what + " (" + strings.Join(parts, "; ") + ")"}
	want := "crawl c1: timed out after 1m0s waiting for 12 of 340 documents (1 of 2 spaces still listing: OPS; stage permissions: 9 pending, 3 in flight)"
	if e.Error() != want {
		t.Errorf("message\n %s\nwant\n %s", e.Error(), want)
	}
	if !errors.Is(e, context.DeadlineExceeded) {
		t.Error("a TimeoutError is not a context.DeadlineExceeded")
	}
}
