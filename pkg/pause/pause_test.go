package pause

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestForWaitsTheDuration(t *testing.T) {
	start := time.Now()
	if err := For(context.Background(), 20*time.Millisecond); err != nil {
		t.Fatalf("For: %v", err)
	}
	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Fatalf("For returned after %v, before 20ms", waited)
	}
}

func TestForEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	if err := For(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("For under a cancelled context = %v, want context.Canceled", err)
	}
}

func TestForReportsAnEndedContextEvenWithoutWaiting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, d := range []time.Duration{0, -time.Second, time.Hour} {
		if err := For(ctx, d); !errors.Is(err, context.Canceled) {
			t.Fatalf("For(ended, %v) = %v, want context.Canceled", d, err)
		}
	}
	if err := For(context.Background(), 0); err != nil {
		t.Fatalf("For(live, 0) = %v, want nil", err)
	}
}
