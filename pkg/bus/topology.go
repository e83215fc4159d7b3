package bus

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// EnsureTopology creates or updates, idempotently, every stream, bucket
// and object store of proto/ and every durable consumer of site, sized by
// o. It is safe to run from every replica at start-up. A change the server
// cannot apply in place (e.g. the storage type) is an error; a call that
// times out or that a busy or recovering cluster answers "unavailable" is
// retried (retryJS).
func EnsureTopology(ctx context.Context, js jetstream.JetStream, site string, o proto.Options) error {
	if site == "" {
		return errors.New("ensure topology: site is required")
	}
	for _, cfg := range proto.Streams(o) {
		if err := retryJS(ctx, "ensure stream "+cfg.Name, func(ctx context.Context) error {
			_, err := js.CreateOrUpdateStream(ctx, cfg)
			return err
		}); err != nil {
			return err
		}
	}
	for _, c := range proto.Consumers(site, o) {
		if err := retryJS(ctx, "ensure consumer "+c.Config.Durable+" on "+c.Stream, func(ctx context.Context) error {
			_, err := js.CreateOrUpdateConsumer(ctx, c.Stream, c.Config)
			return err
		}); err != nil {
			return err
		}
	}
	for _, cfg := range proto.Buckets(o) {
		if err := retryJS(ctx, "ensure bucket "+cfg.Bucket, func(ctx context.Context) error {
			_, err := js.CreateOrUpdateKeyValue(ctx, cfg)
			return err
		}); err != nil {
			return err
		}
	}
	for _, cfg := range proto.ObjectStores(o) {
		if err := retryJS(ctx, "ensure object store "+cfg.Bucket, func(ctx context.Context) error {
			_, err := js.CreateOrUpdateObjectStore(ctx, cfg)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
