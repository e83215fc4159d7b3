package sink

import (
	"context"
	"fmt"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// rerenderIncluders records where a page or blog post is in the include
// index, then renders again each document that includes it and writes
// the new text: an includer written before the page, or before the
// page's last change (new text, new ACL), now shows what it may of it.
// It returns how many it rewrote.
func (l *lane) rerenderIncluders(ctx context.Context, doc proto.Document) (int, error) {
	s := l.s
	if s.includes == nil || (doc.Type != proto.TypePage && doc.Type != proto.TypeBlogPost) || doc.Title == "" {
		return 0, nil
	}
	if err := s.includes.record(ctx, doc); err != nil {
		return 0, err
	}
	refs, err := s.includes.includers(ctx, doc.SpaceKey, doc.Title)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ref := range refs {
		if ref.ID == doc.ID {
			continue
		}
		done, err := l.rerender(ctx, ref)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// rerender renders a document again from its last message and upserts it
// into the lane's sink (a sink rewrites the same version only when its
// text changed).
func (l *lane) rerender(ctx context.Context, ref docRef) (bool, error) {
	s := l.s
	r, err := s.lastDocument(ctx, ref)
	if err != nil || r == nil || r.Document.Body == "" {
		return false, err
	}
	text, _, err := s.bodyText(ctx, r)
	if err != nil {
		return false, fmt.Errorf("render includer %s: %w", ref.ID, err)
	}
	doc := r.Document
	doc.BodyText = text
	if err := l.sink.Upsert(ctx, []sinkport.Item{{Doc: doc}}); err != nil {
		return false, fmt.Errorf("write includer %s: %w", ref.ID, err)
	}
	return true, nil
}
