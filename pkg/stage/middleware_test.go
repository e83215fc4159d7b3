package stage_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/proto"
)

// Typed hands its payload type to the handler and dead-letters any other
// at once, naming the type; a stage's own middleware runs around the
// handler, and the handler's logger carries the item's ids.
func TestTypedDispatchAndMiddleware(t *testing.T) {
	_, js := setup(t, proto.Options{MaxDeliver: 5})
	var mu sync.Mutex
	var order []string
	trace := func(name string) stage.Middleware {
		return func(next stage.Handler) stage.Handler {
			return func(ctx context.Context, m *stage.Msg) error {
				mu.Lock()
				order = append(order, name)
				mu.Unlock()
				return next(ctx, m)
			}
		}
	}
	var handled int
	h := stage.Typed(func(ctx context.Context, m *stage.Msg, sp *proto.SpaceFound) error {
		mu.Lock()
		handled++
		mu.Unlock()
		return nil
	})
	start(t, js, config(), h, stage.WithMiddleware(trace("a"), trace("b")))
	publish(t, js, "7") // a ContentFetched: not the handler's type
	dl := deadLetters(t, js, 1)[0]
	if dl.Deliveries != 1 || !strings.Contains(dl.Error, "unexpected *proto.ContentFetched") {
		t.Errorf("dead letter after %d deliveries: %q", dl.Deliveries, dl.Error)
	}
	consumerIdle(t, js)
	mu.Lock()
	defer mu.Unlock()
	if handled != 0 || strings.Join(order, ",") != "a,b" {
		t.Errorf("handled %d, middleware ran %v, want 0 and a,b", handled, order)
	}
}

func TestChainOrder(t *testing.T) {
	var got []string
	mw := func(name string) stage.Middleware {
		return func(next stage.Handler) stage.Handler {
			return func(ctx context.Context, m *stage.Msg) error {
				got = append(got, name)
				return next(ctx, m)
			}
		}
	}
	h := stage.Chain(func(context.Context, *stage.Msg) error { got = append(got, "h"); return nil }, mw("1"), mw("2"))
	if err := h(context.Background(), &stage.Msg{}); err != nil || strings.Join(got, "") != "12h" {
		t.Fatalf("ran %v, %v; want 1, 2, then the handler", got, err)
	}
	other := stage.Dispatch(stage.On(func(context.Context, *stage.Msg, *proto.SpaceFound) error { return nil }))
	if err := other(context.Background(), &stage.Msg{Payload: &proto.CrawlRequested{}, Subject: "s"}); !stage.IsPermanent(err) {
		t.Errorf("Dispatch of an unknown type: %v, want a permanent error", err)
	}
}

// A stage's handler takes its one payload type; the runner dead-letters
// any other, and the message's logger already names the crawl and item.
func ExampleTyped() {
	h := stage.Typed(func(ctx context.Context, m *stage.Msg, c *proto.ContentFetched) error {
		m.Log.Info("resolving", "title", c.Title)
		return nil
	})
	_ = h // stage.NewRunner(js, cfg, h), or worker.Deps.Runner(stage, input, h)
}
