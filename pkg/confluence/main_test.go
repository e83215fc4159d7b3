package confluence

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: watchdogs,
// download streams and connections end with their requests (the stub and
// simulator servers close their connections when they stop).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
