package bus

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// TestRetryJSRetriesOnlyWhatABusyClusterAnswers: a timeout and "temporarily
// unavailable" are retried until the call succeeds; an invalid
// configuration fails at once, naming the step.
func TestRetryJSRetriesOnlyWhatABusyClusterAnswers(t *testing.T) {
	busy := []error{context.DeadlineExceeded, &jetstream.APIError{Code: 503, ErrorCode: 10008, Description: "JetStream system temporarily unavailable"}}
	calls := 0
	err := retryJS(context.Background(), "ensure stream S", func(context.Context) error {
		calls++
		if calls <= len(busy) {
			return fmt.Errorf("wrapped: %w", busy[calls-1])
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls, want success on the 3rd", err, calls)
	}

	calls = 0
	invalid := &jetstream.APIError{Code: 500, ErrorCode: 10052, Description: "invalid stream config"}
	start := time.Now()
	err = retryJS(context.Background(), "ensure stream S", func(context.Context) error { calls++; return invalid })
	if calls != 1 || !errors.Is(err, invalid) || err.Error() != "ensure stream S: "+invalid.Error() || time.Since(start) > time.Second {
		t.Fatalf("invalid config: %d calls, err %v", calls, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls = 0
	if err := retryJS(ctx, "ensure stream S", func(context.Context) error { calls++; return context.DeadlineExceeded }); err == nil || calls != 1 {
		t.Fatalf("cancelled: %d calls, err %v", calls, err)
	}
}
