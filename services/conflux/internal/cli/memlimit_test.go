package cli

import (
	"log/slog"
	"runtime/debug"
	"testing"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// conflux run with the embedded server sets nats.memory_limit as the
// soft memory limit and puts the previous one back; with an external
// server, a limit of 0 or GOMEMLIMIT set, it leaves the limit alone.
func TestSoftMemoryLimit(t *testing.T) {
	current := func() int64 { return debug.SetMemoryLimit(-1) }
	before := current()
	embedded := &app.App{Config: config.Default(), Log: slog.Default()}
	restore := softMemoryLimit(embedded)
	if got := current(); got != int64(200*config.MiB) {
		t.Errorf("limit under conflux run = %d, want nats.memory_limit's 200MiB", got)
	}
	restore()
	if got := current(); got != before {
		t.Errorf("limit after run = %d, want the previous %d", got, before)
	}

	external := &app.App{Config: config.Default(), Log: slog.Default()}
	external.Config.NATS.URL = "nats://nats.example:4222"
	off := &app.App{Config: config.Default(), Log: slog.Default()}
	off.Config.NATS.MemoryLimit = 0
	for name, a := range map[string]*app.App{"external server": external, "memory_limit 0": off} {
		softMemoryLimit(a)()
		if got := current(); got != before {
			t.Errorf("%s: limit = %d, want it left at %d", name, got, before)
		}
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	defer softMemoryLimit(embedded)()
	if got := current(); got != before {
		t.Errorf("with GOMEMLIMIT set: limit = %d, want it left at %d", got, before)
	}
}
