package worker

import (
	"errors"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/stage"
)

// RateLimitDelay is how long a message waits after a 429 that announced no
// Retry-After.
const RateLimitDelay = 30 * time.Second

// Classify maps a Confluence error, once, to what the stage runner does
// with the message: an announced Retry-After (429, 503) or a rate limit
// waits (stage.RetryAfter), a permanent error goes to the dead-letter
// stream (stage.Permanent), anything else is retried with back-off.
func Classify(err error) error {
	if d, ok := confluence.RetryAfterOf(err); ok && d > 0 {
		return stage.RetryAfter(err, d)
	}
	switch {
	case errors.Is(err, confluence.ErrRateLimited):
		return stage.RetryAfter(err, RateLimitDelay)
	case errors.Is(err, confluence.ErrPermanent):
		return stage.Permanent(err)
	}
	return err
}
