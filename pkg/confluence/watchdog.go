package confluence

import (
	"context"
	"time"
)

// watchdog cancels an attempt's context when it makes no progress for d:
// for a JSON answer d bounds the whole attempt; a streamed download kicks it
// on every read, so that d bounds each stall rather than the transfer.
type watchdog struct {
	cancel context.CancelFunc
	timer  *time.Timer
	d      time.Duration
	kept   bool
}

func newWatchdog(ctx context.Context, d time.Duration) (context.Context, *watchdog) {
	ctx, cancel := context.WithCancel(ctx)
	return ctx, &watchdog{cancel: cancel, timer: time.AfterFunc(d, cancel), d: d}
}

// kick restarts the countdown.
func (w *watchdog) kick() { w.timer.Reset(w.d) }

// keep hands the watchdog (and a response body) to the caller, who must
// stop it.
func (w *watchdog) keep() { w.kept = true }

// release stops the watchdog unless it was kept.
func (w *watchdog) release() {
	if !w.kept {
		w.stop()
	}
}

// stop cancels the context and the countdown.
func (w *watchdog) stop() {
	w.timer.Stop()
	w.cancel()
}
