package stage

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/proto"
)

// Middleware wraps a Handler with one concern that every stage shares
// (watermill's router is the model). The runner wraps each stage's
// handler in Tracing, Recover and Renew; a stage adds its own with
// WithMiddleware.
type Middleware func(Handler) Handler

// Chain wraps h in mws, the first outermost: Chain(h, a, b) runs a, then
// b, then h.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// WithMiddleware wraps the stage's handler in mws, inside the runner's
// own middleware.
func WithMiddleware(mws ...Middleware) Option {
	return func(r *Runner) { r.mws = append(r.mws, mws...) }
}

// Case handles the payloads of one type (see On); it reports false for any
// other payload.
type Case func(ctx context.Context, m *Msg) (bool, error)

// On makes a Case of a handler of payloads of type T.
func On[T proto.Message](fn func(ctx context.Context, m *Msg, p T) error) Case {
	return func(ctx context.Context, m *Msg) (bool, error) {
		p, ok := m.Payload.(T)
		if !ok {
			return false, nil
		}
		return true, fn(ctx, m, p)
	}
}

// Dispatch hands each message to the first case of its payload's type; a
// payload no case takes is dead-lettered at once (Permanent), naming its
// type and subject.
func Dispatch(cases ...Case) Handler {
	return func(ctx context.Context, m *Msg) error {
		for _, c := range cases {
			if ok, err := c(ctx, m); ok {
				return err
			}
		}
		return Permanent(fmt.Errorf("unexpected %T on %s", m.Payload, m.Subject))
	}
}

// Typed is Dispatch(On(fn)): a handler of one payload type.
func Typed[T proto.Message](fn func(ctx context.Context, m *Msg, p T) error) Handler {
	return Dispatch(On(fn))
}

// Tracing adds the crawl, space and item of a tracked payload
// (proto.Tracked) to the message's logger as crawl_id, space_id and
// content_id, for the handler and for the runner's record of the outcome;
// for any other payload, the crawl id its publisher put in the
// proto.HeaderCrawl header.
func Tracing(next Handler) Handler {
	return func(ctx context.Context, m *Msg) error {
		if t, ok := m.Payload.(proto.Tracked); ok {
			crawl, space, item := t.Track()
			m.Log = m.Log.With("crawl_id", crawl, "space_id", space, "content_id", item)
		} else if crawl := m.Header.Get(proto.HeaderCrawl); crawl != "" {
			m.Log = m.Log.With("crawl_id", crawl)
		}
		return next(ctx, m)
	}
}

// Recover turns a panic of the handler into an error (the message is then
// retried like any other failure) and logs its stack.
func Recover(next Handler) Handler {
	return func(ctx context.Context, m *Msg) (err error) {
		defer func() {
			if p := recover(); p != nil {
				m.Log.Error("handler panicked", "panic", p, "stack", string(debug.Stack()))
				err = fmt.Errorf("handler panicked: %v", p)
			}
		}()
		return next(ctx, m)
	}
}

// Renew tells the server every interval that the message is still being
// worked on (InProgress, resetting its AckWait) while the handler runs.
func Renew(every time.Duration) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, m *Msg) error {
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() { renewUntil(done, every, m) })
			defer func() {
				close(done)
				wg.Wait()
			}()
			return next(ctx, m)
		}
	}
}

func renewUntil(done <-chan struct{}, every time.Duration, m *Msg) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if err := m.InProgress(); err != nil {
				m.Log.Debug("in progress", "error", err)
			}
		}
	}
}
