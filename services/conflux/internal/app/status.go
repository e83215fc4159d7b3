package app

import (
	"context"
	"encoding/json"
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
	Crawls []CrawlStatus
	// Audit is the last ACL audit, nil when none ran.
	Audit *audit.Record
}

// CrawlStatus is one active crawl in a status reading.
type CrawlStatus struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Estimate Estimate `json:"estimate"`
}

// ReadStatus reads each stage's backlog and each active crawl's progress.
func (a *App) ReadStatus(ctx context.Context) (StatusSnapshot, error) {
	st, err := bus.Status(ctx, a.JS, a.Config.Site, a.consumers())
	if err != nil {
		return StatusSnapshot{}, err
	}
	now := StatusSnapshot{At: time.Now(), Report: st}
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
		now.Crawls = append(now.Crawls, CrawlStatus{ID: id, Kind: string(s.Meta.Kind), Estimate: EstimateOf(s, now.At)})
	}
	if rec, ok, err := audit.LastRecord(ctx, a.JS); err == nil && ok {
		now.Audit = &rec
	}
	return now, nil
}

// PrintStatus writes each stage's backlog and each active crawl's
// progress with its ETA; with the previous reading (zero for none) it adds
// each stage's rate. It returns this reading.
func (a *App) PrintStatus(ctx context.Context, w io.Writer, prev StatusSnapshot) (StatusSnapshot, error) {
	now, err := a.ReadStatus(ctx)
	if err != nil {
		return prev, err
	}
	fmt.Fprintf(w, "%s  %s\n", now.At.Format(time.TimeOnly), a.Config.Site)
	fmt.Fprintf(w, "%-14s %-20s %9s %9s %11s %8s %9s %12s\n", "stage", "stream", "pending", "in flight", "redelivered", "waiting", "msgs/s", "dead letters")
	for i, c := range now.Report.Stages {
		rate := "-"
		if i < len(prev.Report.Stages) && prev.Report.Stages[i].Durable == c.Durable && c.Done >= prev.Report.Stages[i].Done {
			rate = fmt.Sprintf("%.1f", float64(c.Done-prev.Report.Stages[i].Done)/now.At.Sub(prev.At).Seconds())
		}
		fmt.Fprintf(w, "%-14s %-20s %9d %9d %11d %8d %9s %12d\n", c.Stage, c.Stream, c.Pending, c.AckPending, c.Redelivered, c.Waiting, rate, c.DeadLetters)
	}
	fmt.Fprintf(w, "dead letters: %d\n", now.Report.DeadLetters)
	if len(now.Crawls) == 0 {
		fmt.Fprintln(w, "no crawl running")
	}
	for _, c := range now.Crawls {
		fmt.Fprintf(w, "crawl %s (%s): %s\n", c.ID, c.Kind, c.Estimate)
	}
	if now.Audit != nil {
		fmt.Fprintln(w, now.Audit)
	}
	return now, nil
}

// PrintStatusJSON writes one status reading as a JSON object.
func (a *App) PrintStatusJSON(ctx context.Context, w io.Writer) error {
	now, err := a.ReadStatus(ctx)
	if err != nil {
		return err
	}
	type stage struct {
		Stage       string `json:"stage"`
		Stream      string `json:"stream"`
		Consumer    string `json:"consumer"`
		Pending     uint64 `json:"pending"`
		InFlight    int    `json:"in_flight"`
		Redelivered int    `json:"redelivered"`
		Waiting     int    `json:"waiting_pulls"`
		Done        uint64 `json:"done"`
		DeadLetters uint64 `json:"dead_letters"`
	}
	out := struct {
		At          time.Time     `json:"at"`
		Site        string        `json:"site"`
		Stages      []stage       `json:"stages"`
		DeadLetters uint64        `json:"dead_letters"`
		Crawls      []CrawlStatus `json:"crawls"`
		LastAudit   string        `json:"last_audit,omitempty"`
	}{At: now.At, Site: a.Config.Site, DeadLetters: now.Report.DeadLetters, Crawls: now.Crawls}
	if now.Audit != nil {
		out.LastAudit = now.Audit.String()
	}
	for _, c := range now.Report.Stages {
		out.Stages = append(out.Stages, stage{c.Stage, c.Stream, c.Durable, c.Pending, c.AckPending, c.Redelivered, c.Waiting, c.Done, c.DeadLetters})
	}
	if out.Crawls == nil {
		out.Crawls = []CrawlStatus{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
