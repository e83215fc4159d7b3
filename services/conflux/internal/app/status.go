package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/progress"
)

// PrintStatus writes each stage's backlog and each active crawl's
// progress.
func (a *App) PrintStatus(ctx context.Context, w io.Writer) error {
	st, err := bus.Status(ctx, a.JS, a.Config.Site)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s  %s\n", time.Now().Format(time.TimeOnly), a.Config.Site)
	fmt.Fprintf(w, "%-14s %-20s %9s %9s %11s %8s %12s\n", "stage", "stream", "pending", "in flight", "redelivered", "waiting", "dead letters")
	for _, c := range st.Stages {
		fmt.Fprintf(w, "%-14s %-20s %9d %9d %11d %8d %12d\n", c.Stage, c.Stream, c.Pending, c.AckPending, c.Redelivered, c.Waiting, c.DeadLetters)
	}
	fmt.Fprintf(w, "dead letters: %d\n", st.DeadLetters)
	tr, err := progress.Open(ctx, a.JS)
	if err != nil {
		return err
	}
	active, err := tr.Active(ctx)
	if err != nil {
		return err
	}
	for _, id := range active {
		s, err := tr.Status(ctx, id)
		if err != nil {
			continue
		}
		t := s.Totals()
		fmt.Fprintf(w, "crawl %s (%s): %d spaces, %d listed, %d written, %d dropped, %d failed, %d deleted\n",
			id, s.Meta.Kind, len(s.Meta.Spaces), t.Listed, t.Written, t.Dropped, t.Failed, t.Deleted)
	}
	return nil
}
