package filesink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"sync"

	"github.com/conflux-dev/conflux/proto"
)

// Write is one document of a batch (see UpsertBatch).
type Write struct {
	Doc proto.Document
	// Attachment streams the attachment's bytes, as in Upsert.
	Attachment io.Reader
}

// syncParallel bounds the files of a batch synced at once.
const syncParallel = 16

// UpsertBatch upserts documents as Upsert does, each by id and version,
// but makes the batch durable together: every document file is written to
// a temporary file, the temporary files are synced (several at once), then
// renamed into place, and the documents folder is synced once for the
// whole batch, instead of once per document. An attachment's bytes are
// written and synced first, as Upsert does. It returns one error per
// write, nil for those that were written (or needed no writing); a write
// that fails leaves the document as it was stored before. When an id comes
// more than once, the later write is applied after the earlier one.
func (s *Sink) UpsertBatch(ctx context.Context, ws []Write) []error {
	_, errs := s.upsertBatch(ctx, ws)
	return errs
}

// upsertBatch is UpsertBatch; it also says which writes changed a file.
func (s *Sink) upsertBatch(ctx context.Context, ws []Write) ([]bool, []error) {
	written, errs := make([]bool, len(ws)), make([]error, len(ws))
	for start := 0; start < len(ws); {
		end := uniqueRun(ws, start)
		s.upsertRun(ctx, ws[start:end], written[start:end], errs[start:end])
		start = end
	}
	return written, errs
}

// uniqueRun returns the end of the longest run of writes from start whose
// ids differ.
func uniqueRun(ws []Write, start int) int {
	seen := make(map[string]bool)
	for i := start; i < len(ws); i++ {
		if seen[ws[i].Doc.ID] {
			return i
		}
		seen[ws[i].Doc.ID] = true
	}
	return len(ws)
}

// pending is a document file written to a temporary file, not yet synced
// nor renamed.
type pending struct {
	i    int // index in the run
	doc  proto.Document
	tmp  string // under the documents folder
	f    *os.File
	name string // under the sink directory
	base string // under the documents folder
}

// upsertRun writes writes whose ids differ, holding the lock of each.
func (s *Sink) upsertRun(ctx context.Context, ws []Write, written []bool, errs []error) {
	defer s.lockAll(ws)()
	var ps []*pending
	for i, w := range ws {
		p, err := s.prepare(ctx, w.Doc, w.Attachment)
		if err != nil {
			errs[i] = err
			continue
		}
		if p != nil {
			p.i = i
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return
	}
	s.syncAll(ps, errs)
	renamed := 0
	for _, p := range ps {
		if errs[p.i] != nil {
			continue
		}
		if err := s.docs.Rename(p.tmp, p.base); err != nil {
			_ = s.docs.Remove(p.tmp)
			errs[p.i] = fmt.Errorf("upsert document %s: write %s: %w", p.doc.ID, p.name, err)
			continue
		}
		renamed++
	}
	if renamed == 0 {
		return
	}
	if err := s.syncDocuments(); err != nil {
		for _, p := range ps {
			if errs[p.i] == nil {
				errs[p.i] = fmt.Errorf("upsert document %s: %w", p.doc.ID, err)
			}
		}
		return
	}
	for _, p := range ps {
		if errs[p.i] == nil {
			written[p.i] = true
			errs[p.i] = s.tidyAttachments(p.doc)
		}
	}
}

// prepare decides what a write needs, as Upsert does, writes the
// attachment if any, and the document to a temporary file; nil when
// nothing needs writing. The caller holds the id's lock.
func (s *Sink) prepare(ctx context.Context, doc proto.Document, attachment io.Reader) (*pending, error) {
	if doc.ID == "" {
		return nil, errors.New("upsert document: empty id")
	}
	if attachment != nil && doc.Attachment == nil {
		return nil, fmt.Errorf("upsert document %s: attachment bytes for a document without attachment info", doc.ID)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("upsert document %s: %w", doc.ID, err)
	}
	stored, ok, err := s.read(doc.ID)
	if err != nil {
		return nil, fmt.Errorf("upsert document %s: %w", doc.ID, err)
	}
	doc = normalize(doc)
	switch {
	case ok && doc.Version < stored.Version:
		return nil, nil
	case ok && doc.Version == stored.Version:
		var changed bool
		if doc, attachment, changed, err = s.changes(doc, stored, attachment); err != nil || !changed {
			return nil, err
		}
	case doc.Attachment != nil:
		doc.Attachment.Path = "" // the sink decides where the bytes go
	}
	if doc.Attachment != nil && attachment != nil {
		p, n, err := s.writeAttachment(ctx, doc.ID, doc.Attachment.FileName, attachment)
		if err != nil {
			return nil, err
		}
		doc.Attachment.Path, doc.Attachment.Size = p, n
	}
	data, err := encodeDocument(doc)
	if err != nil {
		return nil, err
	}
	name, base := DocumentPath(doc.ID), documentFile(doc.ID)
	tmp, f, err := s.createTemp(s.docs, ".", DocumentsDir)
	if err != nil {
		return nil, fmt.Errorf("upsert document %s: %w", doc.ID, err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		_ = s.docs.Remove(tmp)
		return nil, fmt.Errorf("upsert document %s: write %s: %w", doc.ID, name, err)
	}
	return &pending{doc: doc, tmp: tmp, f: f, name: name, base: base}, nil
}

// syncAll syncs and closes the temporary files, several at once; a file
// that fails is removed and its write fails.
func (s *Sink) syncAll(ps []*pending, errs []error) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, syncParallel)
	for _, p := range ps {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			err := p.f.Sync()
			if cerr := p.f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				_ = s.docs.Remove(p.tmp)
				errs[p.i] = fmt.Errorf("upsert document %s: write %s: %w", p.doc.ID, p.name, err)
			}
		})
	}
	wg.Wait()
}

// tidyAttachments removes what an older version left in a document's
// attachment folder.
func (s *Sink) tidyAttachments(doc proto.Document) error {
	if doc.Attachment == nil || doc.Attachment.Path == "" {
		return s.removeAttachments(doc.ID)
	}
	return s.pruneAttachments(doc.ID, path.Base(doc.Attachment.Path))
}

// lockAll takes the locks of every id of a batch, in stripe order (so
// that two batches cannot deadlock), and returns the unlock function.
func (s *Sink) lockAll(ws []Write) func() {
	var stripes []uint32
	for _, w := range ws {
		stripes = append(stripes, stripe(w.Doc.ID))
	}
	slices.Sort(stripes)
	stripes = slices.Compact(stripes)
	for _, i := range stripes {
		s.locks[i].Lock()
	}
	return func() {
		for _, i := range stripes {
			s.locks[i].Unlock()
		}
	}
}
