// Package pause waits a while unless a context ends first: the one sleep
// every retry loop, poll and back-off of conflux uses.
package pause

import (
	"context"
	"time"
)

// For waits d, or until ctx is done. It returns ctx.Err() when ctx ended
// first (or had already ended), nil when d has passed. A d ≤ 0 does not
// wait.
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
