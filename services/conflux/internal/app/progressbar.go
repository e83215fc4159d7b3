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
		t := st.Totals()
		done := 0
		for _, s := range st.Spaces {
			if s.Complete() {
				done++
			}
		}
		handled := t.Written + t.Dropped + t.Failed
		elapsed := now.Sub(start).Seconds()
		rate := float64(handled) / max(elapsed, 0.001)
		eta := "?"
		if rate > 0 && t.Listed >= handled {
			eta = (time.Duration(float64(t.Listed-handled)/rate) * time.Second).Round(time.Second).String()
		}
		line := fmt.Sprintf("spaces %d/%d  items %d/%d listed (%d attachments)  failed %d  deleted %d  %.1f items/s  eta %s",
			done, len(st.Meta.Spaces), handled, t.Listed, t.Attachments, t.Failed, t.Deleted, rate, eta)
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
