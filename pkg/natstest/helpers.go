package natstest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// Logger returns a logger that writes records at level and above to the
// test's log until the test ends; records after that are dropped (t.Log
// panics once a test has completed, and services log while they stop).
func Logger(t testing.TB, level slog.Level) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// testWriter passes each log line to t.Log until stop.
type testWriter struct {
	mu  sync.Mutex
	t   testing.TB
	off bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.off {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.off = true
}

// Context returns a context that ends after d or when the test ends.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// Run runs run in a goroutine until the test ends. Cleanup cancels its
// context and waits up to wait for it to return; it reports an error
// other than context.Canceled, and a run that does not stop, as a test
// error naming what (name) ran.
func Run(t testing.TB, name string, wait time.Duration, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("%s stopped: %v", name, err)
			}
		case <-time.After(wait):
			t.Errorf("%s did not stop within %s", name, wait)
		}
	})
}
