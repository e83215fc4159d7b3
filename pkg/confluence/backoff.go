package confluence

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff computes retry delays: exponential from base, capped at max,
// with jitter ×[0.7, 1.3] (Atlassian's guidance) and the cap applied after
// the jitter.
type backoff struct {
	base, max time.Duration
	rand      func() float64 // [0,1); nil uses math/rand/v2
}

func (b backoff) random() float64 {
	if b.rand != nil {
		return b.rand()
	}
	return rand.Float64()
}

// delay returns the wait before retry number attempt (0 for the first
// retry).
func (b backoff) delay(attempt int) time.Duration {
	d := float64(b.base) * math.Pow(2, float64(min(attempt, 30)))
	d = min(d, float64(b.max)) * (0.7 + 0.6*b.random())
	return min(time.Duration(d), b.max)
}

// afterAnnounced returns the wait for an announced Retry-After: never less
// than announced, plus a jitter of up to a fifth of it (at least 100 ms, at
// most 5 s) so that clients told the same deadline do not return together.
func (b backoff) afterAnnounced(announced time.Duration) time.Duration {
	spread := min(max(announced/5, 100*time.Millisecond), 5*time.Second)
	return announced + time.Duration(b.random()*float64(spread))
}

// parseRetryAfter reads a Retry-After value: delay seconds (Confluence
// sends integers; fractions are accepted) or an HTTP date, relative to now.
// A date in the past gives 0. ok is false for an absent or unreadable value.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
			return 0, false
		}
		return time.Duration(math.Ceil(secs * float64(time.Second))), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// retryAfterOf reads the Retry-After of a 429 or 503 answer (also the
// Beta-Retry-After Atlassian sends before enforcing new limits, when it is
// the only one).
func retryAfterOf(h http.Header, now time.Time) (time.Duration, bool) {
	if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		return d, true
	}
	return parseRetryAfter(h.Get("Beta-Retry-After"), now)
}
