package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// DefaultReresolveWait is how long BusReresolver waits for the permission
// resolver: 2 minutes.
const DefaultReresolveWait = 2 * time.Minute

// Pather reads the current path of a page or folder (pkg/confluence's
// Client).
type Pather interface {
	Ancestors(ctx context.Context, kind, id string) ([]confluence.Ancestor, error)
}

// BusReresolver re-resolves a document through the permission resolver:
// it publishes the item to the resolver's input as a permission-only sync
// of a crawl of its own (one per audit), with its path read from
// Confluence now and no restrictions, so that the resolver looks up the
// space grants, every restriction on the path and the groups afresh (its
// caches are per crawl) and publishes the document again when the ACL
// changed. It then waits until the resolver or the sink has recorded the
// item, or the document changed. Needs a running permission resolver.
type BusReresolver struct {
	JS    jetstream.JetStream
	Site  string
	Paths Pather
	// Wait bounds the wait for the resolver. Default DefaultReresolveWait.
	Wait time.Duration
}

// Reresolve implements Reresolver. The calls it reports are its path
// look-ups.
func (b BusReresolver) Reresolve(ctx context.Context, crawlID string, d *proto.DocumentReady) (*proto.DocumentReady, int, error) {
	doc := d.Document
	sub := proto.For(b.Site)
	_, before, err := lastDocument(ctx, b.JS, sub.Document(doc.SpaceID, doc.ID))
	if err != nil {
		return nil, 0, err
	}
	msg, calls, err := b.message(ctx, crawlID, doc)
	if err != nil {
		return nil, calls, fmt.Errorf("re-resolve %s: %w", doc.ID, err)
	}
	id := "audit:" + crawlID + ":" + doc.ID
	if err := bus.NewPublisher(b.JS).Publish(ctx, sub.Content(doc.SpaceID, doc.ID), msg, id); err != nil {
		return nil, calls, fmt.Errorf("re-resolve %s: %w", doc.ID, err)
	}
	fresh, err := b.await(ctx, crawlID, doc, before)
	return fresh, calls, err
}

// message is the item as a permission-only sync of crawlID, with the path
// as Confluence has it now.
func (b BusReresolver) message(ctx context.Context, crawlID string, doc proto.Document) (*proto.ContentFetched, int, error) {
	m := &proto.ContentFetched{CrawlID: crawlID, Kind: proto.CrawlPermissions, SpaceID: doc.SpaceID, SpaceKey: doc.SpaceKey,
		ID: doc.ID, Type: doc.Type, Title: doc.Title, Version: doc.Version}
	var err error
	calls := 0
	switch {
	case doc.ContainerID != nil:
		m.ContainerID = *doc.ContainerID
		calls, err = b.containerPath(ctx, m)
	case doc.Type == proto.TypePage || doc.Type == proto.TypeFolder:
		calls = 1
		var as []confluence.Ancestor
		if as, err = b.Paths.Ancestors(ctx, doc.Type, doc.ID); err == nil {
			m.Ancestors = ancestors(as)
		}
	}
	if n := len(m.Ancestors); n > 0 && doc.ContainerID == nil {
		m.ParentID, m.ParentType = m.Ancestors[n-1].ID, m.Ancestors[n-1].Type
	}
	return m, calls, err
}

// containerPath sets the path of a comment or attachment: its container's
// ancestors and the container. A container that is no page is a blog post.
func (b BusReresolver) containerPath(ctx context.Context, m *proto.ContentFetched) (int, error) {
	as, err := b.Paths.Ancestors(ctx, proto.TypePage, m.ContainerID)
	if errors.Is(err, confluence.ErrNotFound) {
		m.ContainerType = proto.TypeBlogPost
		return 1, nil
	}
	if err != nil {
		return 1, err
	}
	m.ContainerType = proto.TypePage
	m.Ancestors = append(ancestors(as), proto.Ancestor{ID: m.ContainerID, Type: proto.TypePage})
	return 1, nil
}

func ancestors(as []confluence.Ancestor) []proto.Ancestor {
	out := make([]proto.Ancestor, 0, len(as))
	for _, a := range as {
		out = append(out, proto.Ancestor{ID: a.ID, Type: a.Type})
	}
	return out
}

// await polls until the item's outcome for crawlID is recorded (the
// resolver found the ACL unchanged, or the sink wrote the new document) or
// the document's subject has a newer message, then reads the document.
func (b BusReresolver) await(ctx context.Context, crawlID string, doc proto.Document, before uint64) (*proto.DocumentReady, error) {
	wait := b.Wait
	if wait <= 0 {
		wait = DefaultReresolveWait
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	kv, err := b.JS.KeyValue(wctx, proto.BucketProgress)
	if err != nil {
		return nil, fmt.Errorf("re-resolve %s: open progress bucket: %w", doc.ID, err)
	}
	subject := proto.For(b.Site).Document(doc.SpaceID, doc.ID)
	key := proto.ProgressOf(crawlID).Outcome(doc.SpaceID, doc.ID)
	for {
		fresh, seq, err := lastDocument(wctx, b.JS, subject)
		if err == nil && seq > before {
			return fresh, nil
		}
		if o, ok := outcome(wctx, kv, key); ok {
			if o.State != proto.OutcomeWritten {
				return nil, fmt.Errorf("re-resolve %s: %s by %s: %s", doc.ID, o.State, o.Stage, o.Reason)
			}
			return fresh, nil
		}
		select {
		case <-wctx.Done():
			return nil, fmt.Errorf("re-resolve %s: no answer from the permission resolver within %s (is it running?): %w", doc.ID, wait, wctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func outcome(ctx context.Context, kv jetstream.KeyValue, key string) (proto.Outcome, bool) {
	var o proto.Outcome
	e, err := kv.Get(ctx, key)
	if err != nil {
		return o, false
	}
	return o, msgpack.Unmarshal(e.Value(), &o) == nil
}
