package confluence

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	b := backoff{base: 500 * time.Millisecond, max: 30 * time.Second}
	tests := []struct {
		name     string
		attempt  int
		rand     float64
		min, max time.Duration
	}{
		{"first retry lowest jitter", 0, 0, 350 * time.Millisecond, 350 * time.Millisecond},
		{"first retry highest jitter", 0, 0.999999, 649 * time.Millisecond, 650 * time.Millisecond},
		{"doubles", 3, 0.5, 4 * time.Second, 4 * time.Second},
		{"capped before jitter", 10, 0, 21 * time.Second, 21 * time.Second},
		{"capped after jitter", 10, 0.999, 30 * time.Second, 30 * time.Second},
		{"huge attempt does not overflow", 1000, 0.5, 30 * time.Second, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.rand = func() float64 { return tt.rand }
			got := b.delay(tt.attempt)
			if got < tt.min || got > tt.max {
				t.Errorf("delay(%d) = %v, want in [%v, %v]", tt.attempt, got, tt.min, tt.max)
			}
		})
	}
}

func TestBackoffJitterSpreads(t *testing.T) {
	b := backoff{base: time.Second, max: 30 * time.Second}
	seen := map[time.Duration]bool{}
	for range 50 {
		d := b.delay(2)
		if d < 2800*time.Millisecond || d > 5200*time.Millisecond {
			t.Fatalf("delay(2) = %v, want 4s ×[0.7, 1.3]", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct delays in 50: no jitter?", len(seen))
	}
}

func TestAfterAnnouncedNeverEarly(t *testing.T) {
	for _, r := range []float64{0, 0.5, 0.999} {
		b := backoff{rand: func() float64 { return r }}
		for _, announced := range []time.Duration{0, time.Second, 10 * time.Second, 120 * time.Second} {
			got := b.afterAnnounced(announced)
			spread := min(max(announced/5, 100*time.Millisecond), 5*time.Second)
			if got < announced || got > announced+spread {
				t.Errorf("afterAnnounced(%v) with rand %v = %v, want in [%v, %v]", announced, r, got, announced, announced+spread)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"seconds", "5", 5 * time.Second, true},
		{"zero", "0", 0, true},
		{"spaces", " 12 ", 12 * time.Second, true},
		{"fraction rounds up", "1.2", 1200 * time.Millisecond, true},
		{"http date", "Mon, 02 Mar 2026 10:00:30 GMT", 30 * time.Second, true},
		{"past date", "Mon, 02 Mar 2026 09:00:00 GMT", 0, true},
		{"empty", "", 0, false},
		{"negative", "-3", 0, false},
		{"garbage", "soon", 0, false},
		{"NaN", "NaN", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
