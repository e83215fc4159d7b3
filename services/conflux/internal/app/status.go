package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/conflux-dev/conflux/pkg/audit"
	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/progress"
)

// StatusSnapshot is one status reading, kept to compute rates.
type StatusSnapshot struct {
	At     time.Time
	Report bus.Report
}

// PrintStatus writes each stage's backlog and each active crawl's
// progress; with the previous reading (zero for none) it adds each stage's
// rate. It returns this reading.
func (a *App) PrintStatus(ctx context.Context, w io.Writer, prev StatusSnapshot) (StatusSnapshot, error) {
	st, err := bus.Status(ctx, a.JS, a.Config.Site)
	if err != nil {
		return prev, err
	}
	now := StatusSnapshot{At: time.Now(), Report: st}
	fmt.Fprintf(w, "%s  %s\n", now.At.Format(time.TimeOnly), a.Config.Site)
	fmt.Fprintf(w, "%-14s %-20s %9s %9s %11s %8s %9s %12s\n", "stage", "stream", "pending", "in flight", "redelivered", "waiting", "msgs/s", "dead letters")
	for i, c := range st.Stages {
		rate := "-"
		if i < len(prev.Report.Stages) && prev.Report.Stages[i].Durable == c.Durable && c.Done >= prev.Report.Stages[i].Done {
			rate = fmt.Sprintf("%.1f", float64(c.Done-prev.Report.Stages[i].Done)/now.At.Sub(prev.At).Seconds())
		}
		fmt.Fprintf(w, "%-14s %-20s %9d %9d %11d %8d %9s %12d\n", c.Stage, c.Stream, c.Pending, c.AckPending, c.Redelivered, c.Waiting, rate, c.DeadLetters)
	}
	fmt.Fprintf(w, "dead letters: %d\n", st.DeadLetters)
	tr, err := progress.Open(ctx, a.JS)
	if err != nil {
		return now, err
	}
	active, err := tr.Active(ctx)
	if err != nil {
		return now, err
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
	if rec, ok, err := audit.LastRecord(ctx, a.JS); err == nil && ok {
		fmt.Fprintln(w, rec)
	}
	return now, nil
}
