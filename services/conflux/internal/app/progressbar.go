package app

import (
	"fmt"
	"io"
	"time"

	"github.com/conflux-dev/conflux/pkg/logging"
	"github.com/conflux-dev/conflux/pkg/progress"
)

// NewProgress returns a status callback that shows a crawl's progress:
// spaces done, items written of listed, rate and ETA. On a terminal it
// rewrites one line every poll; elsewhere it prints a line every 10 s.
func NewProgress(w io.Writer, start time.Time) func(progress.Status) {
	tty := logging.IsTerminal(w)
	var last time.Time
	return func(st progress.Status) {
		now := time.Now()
		if !tty && now.Sub(last) < 10*time.Second {
			return
		}
		last = now
		e := EstimateOf(st, now)
		if st.Meta.Started.IsZero() {
			e = EstimateOf(withStart(st, start), now)
		}
		line := e.String()
		if tty {
			fmt.Fprintf(w, "\r\033[K%s", line)
			if st.Finished != nil {
				fmt.Fprintln(w)
			}
			return
		}
		fmt.Fprintln(w, line)
	}
}

// withStart is st with the crawl's start set to start.
func withStart(st progress.Status, start time.Time) progress.Status {
	st.Meta.Started = start
	return st
}

// progressEvery is how often progress is logged when it is not drawn on a
// terminal.
const progressEvery = 10 * time.Second

// Progress is the progress reporter of a crawl this process waits for:
// drawn on Stderr like NewProgress, or, when the logs on Stderr are JSON
// lines (log.format json, or auto off a terminal), logged as a record
// ("crawl progress") every 10 s, so that Stderr stays valid JSON lines.
func (a *App) Progress(crawlID string, start time.Time) func(progress.Status) {
	if !logging.IsJSON(Stderr, a.Config.Log.Format) {
		return NewProgress(Stderr, start)
	}
	var last time.Time
	return func(st progress.Status) {
		now := time.Now()
		if now.Sub(last) < progressEvery && st.Finished == nil {
			return
		}
		last = now
		if st.Meta.Started.IsZero() {
			st = withStart(st, start)
		}
		e := EstimateOf(st, now)
		a.Log.Info("crawl progress", "crawl_id", crawlID, "spaces", e.Spaces, "spaces_done", e.SpacesDone,
			"handled", e.Handled, "total", e.Total, "total_exact", e.Exact, "failed", e.Failed, "deleted", e.Deleted,
			"eta", e.ETA)
	}
}
