package sink

import (
	"context"

	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Files adapts the file sink to the port. Each document is written on its
// own (atomic per file), so a batch that fails half way leaves the
// documents before the failing one written; the retry rewrites nothing
// that did not change.
func Files(fs *filesink.Sink) sinkport.Backend { return fileSink{fs} }

type fileSink struct{ fs *filesink.Sink }

func (f fileSink) Upsert(ctx context.Context, items []sinkport.Item) error {
	for _, it := range items {
		if _, err := f.fs.Upsert(ctx, it.Doc, it.Attachment); err != nil {
			return err
		}
	}
	return nil
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
