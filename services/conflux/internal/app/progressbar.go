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
