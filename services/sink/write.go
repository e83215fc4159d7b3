package sink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// handler is the lane's handler: a document is converted, written and
// recorded; a deletion removes the document and is recorded.
func (l *lane) handler() stage.Handler {
	return stage.Dispatch(
		stage.On(func(ctx context.Context, _ *stage.Msg, p *proto.DocumentReady) error {
			reason, err := l.write(ctx, p)
			if err != nil {
				return err
			}
			return l.s.tracker.RecordTracked(ctx, p, proto.StageSink, proto.OutcomeWritten, reason)
		}),
		stage.On(func(ctx context.Context, _ *stage.Msg, p *proto.DocumentDeleted) error {
			if err := l.remove(ctx, p); err != nil {
				return err
			}
			return l.s.tracker.Deletion(ctx, p.CrawlID, p.SpaceID, p.ID)
		}),
	)
}

// write converts, copies and upserts one document. The reason it returns
// (empty when all went as planned) says what was written differently: no
// body text, metadata-only attachment.
func (l *lane) write(ctx context.Context, r *proto.DocumentReady) (string, error) {
	s := l.s
	doc := r.Document
	var notes []string
	included := false
	// An attachment's BodyText is the extractor's text of its file; only
	// a storage-format body is converted here.
	if doc.Body != "" && doc.Type != proto.TypeAttachment {
		res, err := s.renderBody(ctx, r)
		if err != nil {
			return "", fmt.Errorf("render document %s: %w", doc.ID, err)
		}
		doc.BodyText, notes, included = res.text, res.notes, res.included
	}
	if groups, hashes := l.groups.changed(r.Groups); len(groups) > 0 {
		if err := l.sink.WriteGroups(ctx, groups); err != nil {
			return "", fmt.Errorf("write groups of document %s: %w", doc.ID, err)
		}
		l.groups.remember(groups, hashes)
	}
	if doc.Attachment != nil && doc.Attachment.Skipped != "" {
		notes = append(notes, "attachment kept as metadata only: "+doc.Attachment.Skipped)
	}
	var file io.Reader
	if doc.Attachment != nil && doc.Blob != nil {
		br := &blobReader{ctx: ctx, s: s, ref: *doc.Blob}
		defer br.Close()
		file = br
	}
	var err error
	if file != nil {
		// Attachment bytes stream from the object store: a few at a time
		// and unbatched, so that hundreds of handlers never hold
		// hundreds of object reads open at once.
		err = l.upsertAttachment(ctx, sinkport.Item{Doc: doc, Attachment: file})
	} else {
		err = l.batch.upsert(ctx, sinkport.Item{Doc: doc})
	}
	if err != nil && errors.Is(err, jetstream.ErrObjectNotFound) {
		// The bytes are gone (purged store): keep the document anyway.
		notes = append(notes, "attachment bytes missing from the object store; kept as metadata only")
		err = l.batch.upsert(ctx, sinkport.Item{Doc: doc})
	}
	if err != nil {
		return "", fmt.Errorf("write document %s v%d: %w", doc.ID, doc.Version, err)
	}
	if included {
		again, changed, err := l.renderAgain(ctx, r, doc)
		if err != nil {
			return "", err
		}
		if changed {
			notes = again // a rendered body is never an attachment's: its notes are all the body's
		}
	}
	if n, err := l.rerenderIncluders(ctx, doc); err != nil {
		return "", fmt.Errorf("render the includers of %s: %w", doc.ID, err)
	} else if n > 0 {
		s.log.Debug("includers rendered again", "content_id", doc.ID, "includers", n)
	}
	return strings.Join(notes, "; "), nil
}

func (l *lane) remove(ctx context.Context, d *proto.DocumentDeleted) error {
	l.batch.settle(d.ID)
	if err := l.sink.Delete(ctx, []string{d.ID}); err != nil {
		return fmt.Errorf("delete document %s: %w", d.ID, err)
	}
	return nil
}

// blobReader opens an object on its first Read, so a sink that does not
// need the bytes (same version already written) costs no transfer.
type blobReader struct {
	ctx context.Context
	s   *Service
	ref proto.BlobRef
	r   io.ReadCloser
	err error
}

func (b *blobReader) Read(p []byte) (int, error) {
	if b.r == nil && b.err == nil {
		b.r, b.err = b.open()
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.r.Read(p)
}

func (b *blobReader) open() (io.ReadCloser, error) { return b.s.blobs.OpenBlob(b.ctx, b.ref) }

// Close releases the object if it was opened.
func (b *blobReader) Close() error {
	if b.r != nil {
		return b.r.Close()
	}
	return nil
}

// attachmentWrites bounds the attachment documents a lane writes at once.
const attachmentWrites = 4

// upsertAttachment writes one attachment document, at most
// attachmentWrites of a lane at once.
func (l *lane) upsertAttachment(ctx context.Context, it sinkport.Item) error {
	select {
	case l.attachments <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.attachments }()
	return l.sink.Upsert(ctx, []sinkport.Item{it})
}
