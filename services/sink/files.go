package sink

import (
	"context"
	"errors"

	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Files adapts the file sink to the port. A batch is written with
// filesink's UpsertBatch: each document file atomic, the batch synced
// together; a batch that fails half way leaves the documents that did not
// fail written, and the retry rewrites nothing that did not change.
func Files(fs *filesink.Sink) sinkport.Backend { return fileSink{fs} }

type fileSink struct{ fs *filesink.Sink }

func (f fileSink) Upsert(ctx context.Context, items []sinkport.Item) error {
	return errors.Join(f.UpsertEach(ctx, items)...)
}

// UpsertEach writes a batch and returns the error of each document.
func (f fileSink) UpsertEach(ctx context.Context, items []sinkport.Item) []error {
	ws := make([]filesink.Write, len(items))
	for i, it := range items {
		ws[i] = filesink.Write{Doc: it.Doc, Attachment: it.Attachment}
	}
	return f.fs.UpsertBatch(ctx, ws)
}

func (f fileSink) Delete(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if err := f.fs.Delete(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (f fileSink) WriteGroups(ctx context.Context, groups []proto.Group) error {
	for _, g := range groups {
		if err := f.fs.WriteGroup(ctx, g); err != nil {
			return err
		}
	}
	return nil
}

func (f fileSink) Close() error { return f.fs.Close() }

func (f fileSink) Document(_ context.Context, id string) (proto.Document, bool, error) {
	return f.fs.Get(id)
}

func (f fileSink) Documents(context.Context) ([]proto.Document, error) { return f.fs.List("") }

func (f fileSink) Group(_ context.Context, id string) (proto.Group, bool, error) {
	return f.fs.Group(id)
}
