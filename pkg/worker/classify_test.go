package worker_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		permanent bool
		delay     time.Duration
	}{
		{"rate limited without Retry-After", fmt.Errorf("download: %w", confluence.ErrRateLimited), false, worker.RateLimitDelay},
		{"permanent", fmt.Errorf("download: %w", confluence.ErrPermanent), true, 0},
		{"retryable", fmt.Errorf("download: %w", confluence.ErrRetryable), false, 0},
		{"unauthorized is retried", fmt.Errorf("download: %w", confluence.ErrUnauthorized), false, 0},
		{"object store", errors.New("put object: timeout"), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := worker.Classify(tt.err)
			if stage.IsPermanent(got) != tt.permanent {
				t.Errorf("permanent = %v, want %v", stage.IsPermanent(got), tt.permanent)
			}
			d, ok := stage.RetryDelay(got)
			if ok != (tt.delay > 0) || d != tt.delay {
				t.Errorf("retry delay = %v %v, want %v", d, ok, tt.delay)
			}
			if !errors.Is(got, tt.err) {
				t.Error("the cause is lost")
			}
		})
	}
}
