package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/progress"
)

// reportBudget bounds reading what was pending once a wait ran out, so
// that a timed out command still ends within a second or two of its
// --timeout.
const reportBudget = time.Second

// TimeoutError is a wait for a crawl that ran out: which crawl, after how
// long, and what was still pending. It matches context.DeadlineExceeded.
type TimeoutError struct {
	CrawlID string
	After   time.Duration
	// Pending says what the crawl was still waiting for.
	Pending string
}

// Error names the crawl, the wait and what it was still waiting for.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("crawl %s: timed out after %s waiting for %s", e.CrawlID, e.After, e.Pending)
}

// Unwrap makes errors.Is(err, context.DeadlineExceeded) true.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// TimedOut describes a crawl whose wait ran out after d: how many of its
// listed documents have no outcome yet, which spaces are still being
// listed, and the backlog of each stage that has one. It reads NATS for
// at most a second; what it cannot read it leaves out.
func (a *App) TimedOut(ctx context.Context, crawlID string, d time.Duration) *TimeoutError {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reportBudget)
	defer cancel()
	e := &TimeoutError{CrawlID: crawlID, After: d, Pending: "the crawl (its progress could not be read)"}
	var parts []string
	if tr, err := progress.Open(rctx, a.JS); err == nil {
		if st, err := tr.Status(rctx, crawlID); err == nil {
			e.Pending, parts = crawlPending(st)
		} else {
			e.Pending = "the list of spaces"
		}
	}
	if rep, err := bus.Status(rctx, a.JS, a.Config.Site, a.consumers()); err == nil {
		parts = append(parts, stagesPending(rep)...)
	}
	if len(parts) > 0 {
		e.Pending += " (" + strings.Join(parts, "; ") + ")"
	}
	return e
}

// crawlPending says how many documents are still open and which spaces
// are not listed to the end.
func crawlPending(st progress.Status) (string, []string) {
	t := progress.Sum(st.Spaces)
	open := max(t.Listed-t.Written-t.Dropped-t.Failed, 0)
	what := fmt.Sprintf("%d of %d documents", open, t.Listed)
	if !st.Meta.EnumerationDone && len(st.Spaces) == 0 {
		what = "the list of spaces"
	}
	var parts []string
	if !st.Meta.EnumerationDone && len(st.Spaces) > 0 {
		parts = append(parts, "the space list is not read to the end")
	}
	var listing []string
	for _, s := range st.Spaces {
		if !s.ListingDone {
			listing = append(listing, s.SpaceKey)
		}
	}
	if len(listing) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d spaces still listing: %s", len(listing), len(st.Spaces), strings.Join(listing, ", ")))
	}
	return what, parts
}

// stagesPending names each stage with messages not yet delivered or not
// yet acknowledged.
func stagesPending(rep bus.Report) []string {
	var parts []string
	for _, s := range rep.Stages {
		if s.Pending == 0 && s.AckPending == 0 {
			continue
		}
		p := fmt.Sprintf("stage %s: %d pending", s.Stage, s.Pending)
		if s.AckPending > 0 {
			p += fmt.Sprintf(", %d in flight", s.AckPending)
		}
		parts = append(parts, p)
	}
	return parts
}
