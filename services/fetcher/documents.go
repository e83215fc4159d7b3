package fetcher

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// fromDocuments asks for a permission-only sync of every document the
// site has in this space: it reads the last message of each document
// subject from the documents stream and publishes the item again, without
// body, for the permission resolver to recompute its ACL. No body or file
// is fetched from Confluence; the page tree is (ids and parents only, 250
// a call, plus each folder once), because a move changes which
// restrictions a page inherits without changing its version.
func (l *listing) fromDocuments(ctx context.Context) error {
	if err := l.prepare(ctx, false); err != nil {
		return err
	}
	return EachDocument(ctx, l.s.d.JS, l.s.d.Config.Site, l.sp.SpaceID, func(doc *proto.DocumentReady) error {
		d := doc.Document
		msg := proto.ContentFetched{ID: d.ID, Type: d.Type, Title: d.Title, Version: d.Version}
		if d.ParentID != nil {
			msg.ParentID = *d.ParentID
		}
		if d.ContainerID != nil {
			msg.ContainerID = *d.ContainerID
		}
		msg.Ancestors = l.currentPath(d)
		if d.Type == proto.TypePage || d.Type == proto.TypeBlogPost {
			msg.Labels, msg.LabelsKnown = l.knownLabels(d.ID)
		}
		return l.publish(ctx, item{msg: msg}, nil)
	})
}

// currentPath is a document's ancestors as the tree stands now: a page's or
// folder's from its current parent, a comment's or attachment's from its
// container's; the stored ones for what the tree does not know (blog
// posts and their children have no tree path).
func (l *listing) currentPath(d proto.Document) []proto.Ancestor {
	id := d.ID
	if d.ContainerID != nil {
		id = *d.ContainerID
	}
	l.mu.Lock()
	n, ok := l.tree[id]
	l.mu.Unlock()
	if !ok {
		var path []proto.Ancestor
		for i, a := range d.Ancestors {
			title := ""
			if i < len(d.AncestorTitles) {
				title = d.AncestorTitles[i]
			}
			path = append(path, proto.Ancestor{ID: a, Title: title})
		}
		return path
	}
	path := l.ancestors(n.parentID)
	if d.ContainerID != nil {
		path = append(path, proto.Ancestor{ID: id, Type: n.typ, Title: n.title})
	}
	return path
}

// EachDocument calls fn with the latest DocumentReady of every document of
// a space in the documents stream (tombstoned documents are skipped), and
// returns once it has read them all.
func EachDocument(ctx context.Context, js jetstream.JetStream, site, spaceID string, fn func(*proto.DocumentReady) error) error {
	filter := proto.For(site).Documents(spaceID)
	err := bus.EachLast(ctx, js, proto.StreamDocuments, filter, false, func(msg jetstream.Msg) error {
		m, err := bus.DecodeMsg(ctx, js, msg)
		if err != nil {
			return fmt.Errorf("document %s: %w", msg.Subject(), err)
		}
		if doc, ok := m.(*proto.DocumentReady); ok {
			return fn(doc)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read documents of space %s: %w", spaceID, err)
	}
	return nil
}
