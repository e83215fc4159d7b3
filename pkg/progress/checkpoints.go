package progress

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// Checkpoints are the spaces' incremental checkpoints: the time an
// error-free listing of the space started, in proto.BucketCheckpoints
// under proto.CheckpointKey, as RFC 3339.
type Checkpoints struct {
	kv   jetstream.KeyValue
	site string
}

// OpenCheckpoints binds the checkpoints of a site.
func OpenCheckpoints(ctx context.Context, js jetstream.JetStream, site string) (*Checkpoints, error) {
	kv, err := js.KeyValue(ctx, proto.BucketCheckpoints)
	if err != nil {
		return nil, fmt.Errorf("open checkpoints bucket %s: %w", proto.BucketCheckpoints, err)
	}
	return &Checkpoints{kv: kv, site: site}, nil
}

// Overlap is subtracted from a checkpoint before an incremental read: CQL
// dates have minute resolution and are read in a time zone the API does
// not tell, and the site-wide lists are read by date too, so each window
// overlaps the previous one; what is not newer by version is dropped
// downstream (the sink upserts by version).
const Overlap = 2 * time.Minute

// Get returns a space's checkpoint; zero when there is none (or it cannot
// be read: the incremental crawl then lists everything, which is safe).
func (c *Checkpoints) Get(ctx context.Context, spaceID string) time.Time {
	e, err := c.kv.Get(ctx, proto.CheckpointKey(c.site, spaceID))
	if err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, string(e.Value()))
	if err != nil {
		return time.Time{}
	}
	return t
}

// Put records a space's checkpoint.
func (c *Checkpoints) Put(ctx context.Context, spaceID string, t time.Time) error {
	if _, err := c.kv.Put(ctx, proto.CheckpointKey(c.site, spaceID), []byte(t.UTC().Format(time.RFC3339Nano))); err != nil {
		return fmt.Errorf("checkpoint of space %s: %w", spaceID, err)
	}
	return nil
}

// epochKey names the permission epoch of a site.
func (c *Checkpoints) epochKey() string { return proto.CheckpointKey(c.site, "permissions-epoch") }

// PutEpoch records the crawl whose space permissions, groups and members
// later incremental crawls reuse: the last full or permission-only crawl.
func (c *Checkpoints) PutEpoch(ctx context.Context, crawlID string) error {
	if _, err := c.kv.Put(ctx, c.epochKey(), []byte(crawlID)); err != nil {
		return fmt.Errorf("permission epoch: %w", err)
	}
	return nil
}

// Epoch returns the crawl PutEpoch recorded ("" when none, or when it
// cannot be read: the incremental crawl then reads permissions afresh).
func (c *Checkpoints) Epoch(ctx context.Context) string {
	e, err := c.kv.Get(ctx, c.epochKey())
	if err != nil {
		return ""
	}
	return string(e.Value())
}
