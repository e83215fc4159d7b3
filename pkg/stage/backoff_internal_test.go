package stage

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	base, max := time.Second, 30*time.Second
	tests := []struct {
		name    string
		attempt uint64
		lo, hi  time.Duration
	}{
		{"first", 1, 500 * time.Millisecond, time.Second},
		{"second", 2, time.Second, 2 * time.Second},
		{"fifth", 5, 8 * time.Second, 16 * time.Second},
		{"capped", 6, 15 * time.Second, 30 * time.Second},
		{"far beyond", 200, 15 * time.Second, 30 * time.Second},
		{"zero is the first", 0, 500 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 {
				if d := backoff(base, max, tt.attempt); d < tt.lo || d > tt.hi {
					t.Fatalf("backoff(%d) = %s, want in [%s, %s]", tt.attempt, d, tt.lo, tt.hi)
				}
			}
		})
	}
}
