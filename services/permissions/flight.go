package permissions

import (
	"context"
	"errors"
	"sync"
)

// flights runs at most one fetch per key at a time in this process;
// callers that ask for a key while it is being fetched wait for that
// fetch and share its result. Results are not kept: the caller caches.
type flights[K comparable, T any] struct {
	mu sync.Mutex
	m  map[K]*flight[T]
}

type flight[T any] struct {
	done chan struct{}
	dups int // callers that joined
	val  T
	err  error
}

// do returns fn's result for key, running fn only when no other call for
// key is in flight. A waiter whose own ctx is still live retries when the
// fetch it waited for was cancelled by its caller's context.
func (f *flights[K, T]) do(ctx context.Context, key K, fn func(ctx context.Context) (T, error)) (T, error) {
	for {
		f.mu.Lock()
		if f.m == nil {
			f.m = map[K]*flight[T]{}
		}
		c, busy := f.m[key]
		if !busy {
			c = &flight[T]{done: make(chan struct{})}
			f.m[key] = c
		} else {
			c.dups++
		}
		f.mu.Unlock()
		if !busy {
			c.val, c.err = fn(ctx)
			f.mu.Lock()
			delete(f.m, key)
			f.mu.Unlock()
			close(c.done)
			return c.val, c.err
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
		if c.err != nil && ctx.Err() == nil &&
			(errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
			continue // the leader's caller gave up, not ours
		}
		return c.val, c.err
	}
}
