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

// rerender renders a document again from its last message and writes
// it into the lane's sink, changed or not (an includer whose text lost
// an include must lose it in the sink too; a sink rewrites the same
// version only when its text changed).
func (l *lane) rerender(ctx context.Context, ref docRef) (bool, error) {
	r, err := l.s.lastDocument(ctx, ref)
	if err != nil || r == nil || r.Document.Body == "" {
		return false, err
	}
	res, err := l.s.renderBody(ctx, r)
	if err != nil {
		return false, fmt.Errorf("render includer %s: %w", ref.ID, err)
	}
	return true, l.writeText(ctx, r.Document, res.text)
}

// renderAgain renders r once more after its document was written with
// include macros, and writes it if the text differs from what written
// holds; it returns the new notes and whether it wrote. An included page
// may have been written meanwhile (first, or a new version): it records
// its title before it reads its includers, and this document registered
// itself before it looked the title up, so the page's re-render of this
// document was sure to happen, but it may have landed before this
// document's own (batched) write and been overwritten by it. Looking
// again after the write closes that gap: either this look reads the page
// as written, or the page's re-render comes after the write.
func (l *lane) renderAgain(ctx context.Context, r *proto.DocumentReady, written proto.Document) ([]string, bool, error) {
	res, err := l.s.renderBody(ctx, r)
	if err != nil {
		return nil, false, fmt.Errorf("render document %s again: %w", written.ID, err)
	}
	if res.text == written.BodyText {
		return nil, false, nil
	}
	return res.notes, true, l.writeText(ctx, written, res.text)
}

// writeText writes doc with text as its body text, past the lane's
// batches (a batch could hold it back behind a later write).
func (l *lane) writeText(ctx context.Context, doc proto.Document, text string) error {
	doc.BodyText = text
	if err := l.sink.Upsert(ctx, []sinkport.Item{{Doc: doc}}); err != nil {
		return fmt.Errorf("write document %s v%d again: %w", doc.ID, doc.Version, err)
	}
	return nil
}
