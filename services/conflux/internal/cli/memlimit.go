package cli

import (
	"os"
	"runtime/debug"

	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// softMemoryLimit sets nats.memory_limit as the process's soft memory
// limit when it runs the embedded server and GOMEMLIMIT does not set one,
// and returns what puts the previous limit back. The embedded server
// keeps a cache per file-store block it writes or reads; an idle cache is
// freed only by a collection, so without a limit the collector's default
// pacing (GOGC=100) let them pile up to twice the live heap.
func softMemoryLimit(a *app.App) (restore func()) {
	limit := int64(a.Config.NATS.MemoryLimit)
	if a.Config.NATS.URL != "" || limit <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(limit)
	a.Log.Debug("soft memory limit set", "bytes", limit)
	return func() { debug.SetMemoryLimit(prev) }
}
