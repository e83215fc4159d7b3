package stage

import (
	"math/rand/v2"
	"time"
)

// backoff returns the delay before delivery attempt+1: base doubled per
// attempt, capped at max, with "equal jitter" (a uniform pick in
// [d/2, d]) so that replicas that failed together do not retry together.
func backoff(base, max time.Duration, attempt uint64) time.Duration {
	d := max
	if attempt < 1 {
		attempt = 1
	}
	if shift := attempt - 1; shift < 32 {
		if b := base << shift; b > 0 && b < max {
			d = b
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
