// Package progress knows when a crawl is complete by counting, never by
// waiting for quiet: the enumerator records which spaces a crawl has, the
// fetcher how many items it listed in each, and the stage that ends each
// item's journey records its outcome under one key per item, so that a
// redelivery that records the same outcome again does not count twice.
//
// Everything lives in the key-value bucket proto.BucketProgress under the
// keys that proto.ProgressKeys builds.
package progress

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/proto"
)

// Tracker reads and writes crawl progress. It is safe for concurrent use
// by any number of replicas.
type Tracker struct {
	kv jetstream.KeyValue
}

// Open binds the progress bucket, which bus.EnsureTopology creates.
func Open(ctx context.Context, js jetstream.JetStream) (*Tracker, error) {
	kv, err := js.KeyValue(ctx, proto.BucketProgress)
	if err != nil {
		return nil, fmt.Errorf("open progress bucket %s: %w", proto.BucketProgress, err)
	}
	return &Tracker{kv: kv}, nil
}

// New wraps an already bound bucket.
func New(kv jetstream.KeyValue) *Tracker { return &Tracker{kv: kv} }

func (t *Tracker) put(ctx context.Context, key string, v any) error {
	b, err := msgpack.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if _, err := t.kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("record %s: %w", key, err)
	}
	return nil
}

func (t *Tracker) get(ctx context.Context, key string, v any) (bool, error) {
	e, err := t.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", key, err)
	}
	if err := msgpack.Unmarshal(e.Value(), v); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

// Outcome records how an item's journey ended. A "written" outcome is never
// replaced by a later "failed" or "dropped" one for the same crawl: a late
// redelivery that fails after a success does not undo it.
func (t *Tracker) Outcome(ctx context.Context, crawlID, spaceID, itemID string, o proto.Outcome) error {
	if crawlID == "" {
		return nil // not part of a tracked crawl (e.g. a replay)
	}
	key := proto.ProgressOf(crawlID).Outcome(spaceID, itemID)
	if o.State != proto.OutcomeWritten {
		var prev proto.Outcome
		if ok, err := t.get(ctx, key, &prev); err == nil && ok && prev.State == proto.OutcomeWritten {
			return nil
		}
	}
	return t.put(ctx, key, o)
}

// RecordTracked records the outcome of a tracked message.
func (t *Tracker) RecordTracked(ctx context.Context, m proto.Tracked, stage, state, reason string) error {
	crawl, space, item := m.Track()
	return t.Outcome(ctx, crawl, space, item, proto.Outcome{State: state, Stage: stage, Reason: reason})
}

// Listing records the end of a space's listing.
func (t *Tracker) Listing(ctx context.Context, crawlID, spaceID string, l proto.Listing) error {
	return t.put(ctx, proto.ProgressOf(crawlID).Listing(spaceID), l)
}

// Deletion records that a sink applied the tombstone of an item.
func (t *Tracker) Deletion(ctx context.Context, crawlID, spaceID, itemID string) error {
	if crawlID == "" {
		return nil
	}
	return t.put(ctx, proto.ProgressOf(crawlID).Deletion(spaceID, itemID),
		proto.Outcome{State: "deleted", Stage: proto.StageSink})
}

// Sweep records a space's sweep. The first writer wins: created is false
// when another replica recorded it first, and then the caller must not
// delete anything itself.
func (t *Tracker) Sweep(ctx context.Context, crawlID, spaceID string, s proto.Sweep) (bool, error) {
	b, err := msgpack.Marshal(s)
	if err != nil {
		return false, fmt.Errorf("encode sweep: %w", err)
	}
	_, err = t.kv.Create(ctx, proto.ProgressOf(crawlID).Sweep(spaceID), b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record sweep of space %s: %w", spaceID, err)
	}
	return true, nil
}

// GetSweep returns a space's sweep record, if any.
func (t *Tracker) GetSweep(ctx context.Context, crawlID, spaceID string) (proto.Sweep, bool, error) {
	var s proto.Sweep
	ok, err := t.get(ctx, proto.ProgressOf(crawlID).Sweep(spaceID), &s)
	return s, ok, err
}

// PutMeta records what a crawl covers.
func (t *Tracker) PutMeta(ctx context.Context, m proto.CrawlMeta) error {
	return t.put(ctx, proto.ProgressOf(m.CrawlID).Meta(), m)
}

// Meta returns a crawl's meta; ErrUnknownCrawl when there is none.
func (t *Tracker) Meta(ctx context.Context, crawlID string) (proto.CrawlMeta, error) {
	var m proto.CrawlMeta
	ok, err := t.get(ctx, proto.ProgressOf(crawlID).Meta(), &m)
	if err != nil {
		return m, err
	}
	if !ok {
		return m, fmt.Errorf("crawl %s: %w", crawlID, ErrUnknownCrawl)
	}
	return m, nil
}

// ErrUnknownCrawl says no meta was recorded for a crawl (yet).
var ErrUnknownCrawl = errors.New("unknown crawl")

// Listed returns a space's listing, and whether it was recorded.
func (t *Tracker) Listed(ctx context.Context, crawlID, spaceID string) (proto.Listing, bool, error) {
	var l proto.Listing
	ok, err := t.get(ctx, proto.ProgressOf(crawlID).Listing(spaceID), &l)
	return l, ok, err
}

// SeenItems returns the outcome of every item of a space in a crawl.
func (t *Tracker) SeenItems(ctx context.Context, crawlID, spaceID string) (map[string]proto.Outcome, error) {
	keys := proto.ProgressOf(crawlID)
	prefix := strings.TrimSuffix(keys.Outcomes(spaceID), "*")
	return t.scan(ctx, keys.Outcomes(spaceID), prefix)
}

// Deleted returns the items of a space whose tombstones a sink applied.
func (t *Tracker) Deleted(ctx context.Context, crawlID, spaceID string) (map[string]proto.Outcome, error) {
	keys := proto.ProgressOf(crawlID)
	prefix := strings.TrimSuffix(keys.Deletions(spaceID), "*")
	return t.scan(ctx, keys.Deletions(spaceID), prefix)
}

// scan reads every key matching filter; item ids are the key after prefix.
func (t *Tracker) scan(ctx context.Context, filter, prefix string) (map[string]proto.Outcome, error) {
	w, err := t.kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", filter, err)
	}
	defer func() { _ = w.Stop() }()
	out := map[string]proto.Outcome{}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return out, nil
			}
			if e == nil {
				return out, nil // end of the initial values
			}
			var o proto.Outcome
			if err := msgpack.Unmarshal(e.Value(), &o); err != nil {
				return nil, fmt.Errorf("decode %s: %w", e.Key(), err)
			}
			out[strings.TrimPrefix(e.Key(), prefix)] = o
		}
	}
}

// Space counts one space of a crawl.
func (t *Tracker) Space(ctx context.Context, crawlID, spaceID string) (proto.SpaceProgress, error) {
	p := proto.SpaceProgress{SpaceID: spaceID}
	l, ok, err := t.Listed(ctx, crawlID, spaceID)
	if err != nil {
		return p, err
	}
	if ok {
		p.ListingDone, p.ListingError, p.Listed, p.SpaceKey = true, l.Error, l.Listed(), l.SpaceKey
		p.Attachments = l.Attachments
	}
	seen, err := t.SeenItems(ctx, crawlID, spaceID)
	if err != nil {
		return p, err
	}
	for _, o := range seen {
		switch o.State {
		case proto.OutcomeWritten:
			p.Written++
		case proto.OutcomeDropped:
			p.Dropped++
		default:
			p.Failed++
		}
	}
	deleted, err := t.Deleted(ctx, crawlID, spaceID)
	if err != nil {
		return p, err
	}
	p.Deleted = len(deleted)
	return p, nil
}

// DeadLettered records a dead-lettered item as failed, with the dead
// letter's error as the reason. A dead letter that names no item (an
// undecodable message) counts towards nothing and is left alone.
func (t *Tracker) DeadLettered(ctx context.Context, dl *proto.DeadLetter) error {
	if dl.CrawlID == "" || dl.ItemID == "" {
		return nil
	}
	return t.Outcome(ctx, dl.CrawlID, dl.SpaceID, dl.ItemID,
		proto.Outcome{State: proto.OutcomeFailed, Stage: dl.Stage, Reason: dl.Error})
}

// OnDeadLetter returns the hook a stage gives its runner
// (stage.WithOnDeadLetter) so that an item it gave up on counts as failed
// and the crawl still completes, saying what failed; a failure to record
// it is logged.
func (t *Tracker) OnDeadLetter(log *slog.Logger) func(context.Context, *proto.DeadLetter, proto.Message) {
	return func(ctx context.Context, dl *proto.DeadLetter, _ proto.Message) {
		if err := t.DeadLettered(ctx, dl); err != nil {
			log.Error("record failed item", "subject", dl.Subject, "content_id", dl.ItemID, "err", err)
		}
	}
}
