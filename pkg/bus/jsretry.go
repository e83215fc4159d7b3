package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A JetStream API call of the start-up (EnsureTopology) gets callTimeout;
// a call that times out or that the cluster answers "unavailable" (a
// fresh or recovering cluster, a node down, many replicas starting at
// once) is retried with back-off for up to retryPatience.
const (
	callTimeout   = 10 * time.Second
	retryPatience = 2 * time.Minute
)

// retryJS runs call until it succeeds, fails for good, ctx ends or
// retryPatience has passed; what names the step in the error.
func retryJS(ctx context.Context, what string, call func(ctx context.Context) error) error {
	deadline := time.Now().Add(retryPatience)
	wait := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		err := call(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if !transientJS(err) || ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			if attempt > 1 {
				return fmt.Errorf("%s (%d attempts): %w", what, attempt, err)
			}
			return fmt.Errorf("%s: %w", what, err)
		}
		slog.Default().Warn("jetstream busy; retrying", "step", what, "attempt", attempt, "error", err.Error(), "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// transientCodes are the JetStream API errors of a cluster that is busy,
// electing or missing a node.
var transientCodes = map[jetstream.ErrorCode]bool{
	10008: true, // JetStream system temporarily unavailable
	10023: true, // insufficient resources (fewer peers up than replicas)
	10004: true, // incomplete results
	10007: true, // JetStream cluster not assigned to this server
	10009: true, // JetStream cluster can not handle request (no leader)
}

// transientJS reports errors a retry may cure: no answer in time, no
// responder yet, or one of transientCodes.
func transientJS(err error) bool {
	var api *jetstream.APIError
	if errors.As(err, &api) {
		return transientCodes[api.ErrorCode]
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionReconnecting) || errors.Is(err, nats.ErrDisconnected)
}
