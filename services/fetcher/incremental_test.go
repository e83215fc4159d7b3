package fetcher

import (
	"testing"
	"time"
)

func TestCQLTimeIsMinuteResolutionUTC(t *testing.T) {
	at := time.Date(2026, 11, 28, 23, 59, 59, 999, time.FixedZone("CET", 3600))
	if got, want := CQLTime(at), "2026-11-28 22:59"; got != want {
		t.Errorf("CQLTime = %q, want %q", got, want)
	}
	if got := CQLTime(at.Add(-Overlap)); got != "2026-11-28 22:57" {
		t.Errorf("with the overlap: %q", got)
	}
}
