package fetcher

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// fromSitewide publishes the comments and attachments of the space that
// the crawl's site-wide lists returned (Subjects.Sitewide), each on a
// page or blog post this listing published or knows the path of, with
// its container's path. Rows on containers the listing does not know
// (archived, trashed, not visible) are left out, as the per-container
// routes would.
func (l *listing) fromSitewide(ctx context.Context) error {
	return l.eachSitewide(ctx, func(p proto.Message) error {
		switch p := p.(type) {
		case *proto.ContentFetched:
			return l.sitewideComment(ctx, p)
		case *proto.AttachmentFound:
			return l.sitewideAttachment(ctx, p)
		}
		return nil
	})
}

// wantSitewide notes the containers of the space's site-wide rows, so
// that an incremental listing looks up their paths.
func (l *listing) wantSitewide(ctx context.Context) error {
	return l.eachSitewide(ctx, func(p proto.Message) error {
		id := ""
		switch p := p.(type) {
		case *proto.ContentFetched:
			id = p.ContainerID
		case *proto.AttachmentFound:
			id = p.ContainerID
		}
		if id != "" {
			l.mu.Lock()
			l.wanted[id] = true
			l.mu.Unlock()
		}
		return nil
	})
}

// eachSitewide calls fn once per item of the space's site-wide rows.
func (l *listing) eachSitewide(ctx context.Context, fn func(proto.Message) error) error {
	seen := map[string]bool{}
	subject := l.s.Sub.Sitewide(l.sp.CrawlID, l.sp.SpaceID)
	err := bus.Each(ctx, l.s.d.JS, proto.StreamSitewide, subject, func(m jetstream.Msg) error {
		payload, err := bus.DecodeMsg(ctx, l.s.d.JS, m)
		if err != nil {
			return fmt.Errorf("site-wide row %s: %w", m.Subject(), err)
		}
		if t, ok := payload.(proto.Tracked); ok {
			_, _, id := t.Track()
			if seen[id] {
				return nil
			}
			seen[id] = true
		}
		return fn(payload)
	})
	if err != nil {
		return fmt.Errorf("read site-wide comments and attachments: %w", err)
	}
	return nil
}

// containerPath is the path of a container, ending with it: from the
// tree for a page this listing published, from CQL (or, for a page CQL
// did not return, from its own route) for one an incremental listing did
// not change; false when the listing does not know it.
func (l *listing) containerPath(ctx context.Context, id, typ string) ([]proto.Ancestor, bool, error) {
	incremental := l.incremental()
	l.mu.Lock()
	self := proto.Ancestor{ID: id, Type: typ, Title: l.titles[id]}
	_, published := l.containers[id]
	above, looked := l.paths[id]
	parent := l.tree[id].parentID
	l.mu.Unlock()
	switch {
	case typ == proto.TypeBlogPost && (published || incremental):
		return []proto.Ancestor{self}, true, nil
	case published && !incremental:
		return append(l.ancestors(parent), self), true, nil
	case looked:
		return append(slices.Clone(above), self), true, nil
	case incremental && typ == proto.TypePage:
		above, err := l.pathByAPI(ctx, id)
		if errors.Is(err, confluence.ErrNotFound) {
			return nil, false, nil // gone since the list was read
		}
		return append(above, self), err == nil, err
	}
	return nil, false, nil
}

func (l *listing) sitewideComment(ctx context.Context, c *proto.ContentFetched) error {
	path, ok, err := l.containerPath(ctx, c.ContainerID, c.ContainerType)
	if ok && err == nil {
		ok, err = l.containerInScope(ctx, c.ContainerID, c.ContainerType, path)
	}
	if !ok || err != nil {
		return err
	}
	return l.publish(ctx, item{msg: *c}, path)
}

func (l *listing) sitewideAttachment(ctx context.Context, a *proto.AttachmentFound) error {
	path, ok, err := l.containerPath(ctx, a.ContainerID, a.ContainerType)
	if ok && err == nil {
		ok, err = l.containerInScope(ctx, a.ContainerID, a.ContainerType, path)
	}
	if !ok || err != nil {
		return err
	}
	a.Ancestors = path
	return l.publishAttachment(ctx, a)
}
