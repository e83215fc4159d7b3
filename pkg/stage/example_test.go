package stage_test

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/proto"
)

// A stage reads its input through its durable consumer and maps its
// errors once: permanent ones to the dead-letter stream, rate limits to a
// delayed redelivery, the rest to back-off.
func ExampleNewRunner() {
	var js jetstream.JetStream // from bus.Connect and jetstream.New
	site := "https://acme.atlassian.net"
	errNotFound := errors.New("not found")

	cfg := stage.Config{
		Stage:       proto.StagePermissions,
		Stream:      proto.StreamContent,
		Durable:     proto.Durable(proto.StagePermissions, "content", site),
		Site:        site,
		Concurrency: 8,
	}
	r, err := stage.NewRunner(js, cfg, func(ctx context.Context, m *stage.Msg) error {
		item := m.Payload.(*proto.ContentFetched)
		if err := resolve(ctx, item); err != nil {
			switch {
			case errors.Is(err, errNotFound):
				return stage.Permanent(err)
			case isRateLimited(err):
				return stage.RetryAfter(err, 30*time.Second)
			}
			return err
		}
		return nil
	}, stage.WithOnDeadLetter(func(ctx context.Context, dl *proto.DeadLetter, m proto.Message) {
		slog.Error("gave up", "content_id", dl.ItemID, "error", dl.Error)
	}))
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background()) // cancelled on SIGTERM
	defer cancel()
	_ = r.Run(ctx) // returns once in-flight work is finished or handed back
}

func resolve(context.Context, *proto.ContentFetched) error { return nil }
func isRateLimited(error) bool                             { return false }
