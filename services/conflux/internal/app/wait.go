package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
)

// Wait waits for a crawl's result, reporting progress to onStatus. It
// fails early if the stages stop (stopped is closed) before the crawl is
// done; stopped may be nil.
func (a *App) Wait(ctx context.Context, crawlID string, stopped <-chan struct{}, onStatus func(progress.Status)) (proto.CrawlFinished, error) {
	tr, err := progress.Open(ctx, a.JS)
	if err != nil {
		return proto.CrawlFinished{}, err
	}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if stopped != nil {
		go func() {
			select {
			case <-stopped:
				cancel(errors.New("the stages stopped before the crawl completed"))
			case <-wctx.Done():
			}
		}()
	}
	res, err := tr.Wait(wctx, crawlID, 250*time.Millisecond, onStatus)
	if err != nil {
		if cause := context.Cause(wctx); cause != nil && !errors.Is(cause, context.Canceled) {
			return res, cause
		}
		return res, fmt.Errorf("wait for crawl %s: %w", crawlID, err)
	}
	return res, nil
}

// PrintSummary writes a crawl's result for a person.
func PrintSummary(w io.Writer, f proto.CrawlFinished) {
	t := progress.Sum(f.Spaces)
	verdict := "complete"
	switch {
	case f.Partial:
		verdict = "partial (a listing failed: nothing of that space deleted)"
	case !f.OK:
		verdict = "complete with failures"
	}
	fmt.Fprintf(w, "crawl %s (%s) %s in %s: %d spaces, %d items listed, %d written, %d dropped, %d failed, %d deleted\n",
		f.CrawlID, f.Kind, verdict, f.Finished.Sub(f.Started).Round(time.Millisecond), len(f.Spaces),
		t.Listed, t.Written, t.Dropped, t.Failed, t.Deleted)
	for _, s := range f.Spaces {
		line := fmt.Sprintf("  %-12s listed %d, written %d, dropped %d, failed %d, deleted %d", s.SpaceKey, s.Listed, s.Written, s.Dropped, s.Failed, s.Deleted)
		if s.ListingError != "" {
			line += " (listing incomplete: " + s.ListingError + ")"
		}
		fmt.Fprintln(w, line)
	}
	printList(w, "failed", f.Failures)
	printList(w, "notes", f.Notes)
}

func printList(w io.Writer, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "%s (%d):\n", title, len(lines))
	for i, l := range lines {
		if i == 50 {
			fmt.Fprintf(w, "  … and %d more\n", len(lines)-50)
			break
		}
		fmt.Fprintln(w, "  "+strings.TrimSpace(l))
	}
}
