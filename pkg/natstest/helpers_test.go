package natstest

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeTB records the errors a helper reports; its cleanups run on demand.
type fakeTB struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (f *fakeTB) Cleanup(fn func())                 { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Errorf(format string, args ...any) { f.errs = append(f.errs, format) }
func (f *fakeTB) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestRunReportsFailuresOnly(t *testing.T) {
	stuck := make(chan struct{}) // released when the test returns
	cases := map[string]struct {
		run  func(context.Context) error
		errs int
	}{
		"stops when cancelled": {func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, 0},
		"returns nil":          {func(ctx context.Context) error { <-ctx.Done(); return nil }, 0},
		"fails":                {func(ctx context.Context) error { <-ctx.Done(); return errors.New("boom") }, 1},
		"does not stop":        {func(ctx context.Context) error { <-stuck; return nil }, 1},
	}
	defer close(stuck)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fakeTB{TB: t}
			Run(f, "svc", 100*time.Millisecond, tc.run)
			f.end()
			if len(f.errs) != tc.errs {
				t.Fatalf("%d errors reported (%v), want %d", len(f.errs), f.errs, tc.errs)
			}
		})
	}
}

func TestLoggerStopsAtCleanup(t *testing.T) {
	f := &fakeTB{TB: t}
	log := Logger(f, 0)
	log.Info("while the test runs")
	f.end()
	log.Info("after the test") // would panic in t.Log of a completed test
}
