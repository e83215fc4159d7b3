package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// EnsureTopology creates or updates, idempotently, every stream, bucket
// and object store of proto/ and every durable consumer of site, sized by
// o. It is safe to run from every replica at start-up. A change the server
// cannot apply in place (e.g. the storage type) is an error.
func EnsureTopology(ctx context.Context, js jetstream.JetStream, site string, o proto.Options) error {
	if site == "" {
		return errors.New("ensure topology: site is required")
	}
	for _, cfg := range proto.Streams(o) {
		if _, err := js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("ensure stream %s: %w", cfg.Name, err)
		}
	}
	for _, c := range proto.Consumers(site, o) {
		if _, err := js.CreateOrUpdateConsumer(ctx, c.Stream, c.Config); err != nil {
			return fmt.Errorf("ensure consumer %s on %s: %w", c.Config.Durable, c.Stream, err)
		}
	}
	for _, cfg := range proto.Buckets(o) {
		if _, err := js.CreateOrUpdateKeyValue(ctx, cfg); err != nil {
			return fmt.Errorf("ensure bucket %s: %w", cfg.Bucket, err)
		}
	}
	for _, cfg := range proto.ObjectStores(o) {
		if _, err := js.CreateOrUpdateObjectStore(ctx, cfg); err != nil {
			return fmt.Errorf("ensure object store %s: %w", cfg.Bucket, err)
		}
	}
	return nil
}
