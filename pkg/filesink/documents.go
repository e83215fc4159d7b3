package filesink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/conflux-dev/conflux/proto"
)

// Upsert writes a document to documents/<id>.json and, when attachment is
// not nil, streams the attachment's bytes (never held in memory) to
// attachments/<id>/<safe file name>, setting doc.Attachment.Path and Size
// to what was written. It reports whether anything was written:
//
//   - a document with a lower version than the stored one is ignored;
//   - a higher version (or no stored one) replaces it, attachment included;
//     the files of an older version are removed, and an attachment document
//     without bytes (too large, say) keeps no file;
//   - the same version rewrites the JSON only if something other than
//     crawl_id changed (an ACL from a permission-only sync, labels), keeping
//     the stored attachment file without reading attachment again (so a
//     lazy reader costs nothing).
//
// attachment is read to its end and not closed; a nil attachment with a
// non-nil doc.Attachment writes the metadata only. Upsert returns early
// with ctx's error when ctx is done.
func (s *Sink) Upsert(ctx context.Context, doc proto.Document, attachment io.Reader) (bool, error) {
	written, errs := s.upsertBatch(ctx, []Write{{Doc: doc, Attachment: attachment}})
	return written[0], errs[0]
}

// changes compares a write of the stored version with what is stored: the
// document to write (keeping the stored attachment file, whose reader then
// is not read) and whether anything other than crawl_id changed.
func (s *Sink) changes(doc, stored proto.Document, attachment io.Reader) (proto.Document, io.Reader, bool, error) {
	if doc.Attachment != nil {
		doc.Attachment.Path = ""
		if stored.Attachment != nil && stored.Attachment.Path != "" && s.exists(stored.Attachment.Path) {
			doc.Attachment.Path, doc.Attachment.Size = stored.Attachment.Path, stored.Attachment.Size
			attachment = nil
		}
	}
	cmp := doc
	cmp.CrawlID = stored.CrawlID
	a, err := encodeDocument(cmp)
	if err != nil {
		return doc, nil, false, err
	}
	b, err := encodeDocument(stored)
	if err != nil {
		return doc, nil, false, err
	}
	return doc, attachment, !bytes.Equal(a, b) || attachment != nil, nil
}

func (s *Sink) writeAttachment(ctx context.Context, id, fileName string, r io.Reader) (string, int64, error) {
	p := AttachmentPath(id, fileName)
	if err := s.mkdirAll(path.Dir(p)); err != nil {
		return "", 0, fmt.Errorf("write attachment of %s: %w", id, err)
	}
	n, err := s.writeAtomic(p, func(w io.Writer) error {
		_, err := io.Copy(w, ctxReader{ctx: ctx, r: r})
		return err
	})
	if err != nil {
		return "", 0, fmt.Errorf("write attachment of %s: %w", id, err)
	}
	return p, n, nil
}

// pruneAttachments removes every file of an id's attachment folder except
// keep and temporary files being written.
func (s *Sink) pruneAttachments(id, keep string) error {
	dir := path.Join(AttachmentsDir, SafeID(id))
	entries, err := fs.ReadDir(s.root.FS(), dir)
	if err != nil {
		return fmt.Errorf("prune attachments of %s: %w", id, err)
	}
	for _, e := range entries {
		if e.Name() == keep || strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		if err := s.root.RemoveAll(path.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("prune attachments of %s: %w", id, err)
		}
	}
	return nil
}

func (s *Sink) removeAttachments(id string) error {
	if err := s.atts.RemoveAll(SafeID(id)); err != nil {
		return fmt.Errorf("remove attachments of %s: %w", id, err)
	}
	return nil
}

// Delete removes a document and its attachment folder. Deleting what is
// not there is not an error.
func (s *Sink) Delete(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("delete document: empty id")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete document %s: %w", id, err)
	}
	defer s.lock(id)()
	if err := s.docs.Remove(documentFile(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete document %s: %w", id, err)
	}
	if err := s.removeAttachments(id); err != nil {
		return err
	}
	if err := s.syncDocuments(); err != nil {
		return fmt.Errorf("delete document %s: %w", id, err)
	}
	return nil
}

// Get returns the stored document with an id, and whether there is one.
func (s *Sink) Get(id string) (proto.Document, bool, error) {
	return s.read(id)
}

// List returns the stored documents of a space ("" for every space),
// sorted by id. It reads every document file: it is meant for tests and
// tools, not for a hot path.
func (s *Sink) List(spaceID string) ([]proto.Document, error) {
	entries, err := fs.ReadDir(s.root.FS(), DocumentsDir)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	var out []proto.Document
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), tmpPrefix) || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := s.root.ReadFile(path.Join(DocumentsDir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		var d proto.Document
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("list documents: decode %s: %w", e.Name(), err)
		}
		if spaceID == "" || d.SpaceID == spaceID {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// read returns the stored document; a file that does not decode counts as
// absent, so that the next write repairs it.
func (s *Sink) read(id string) (proto.Document, bool, error) {
	var d proto.Document
	data, err := s.docs.ReadFile(documentFile(id))
	if errors.Is(err, fs.ErrNotExist) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("read document %s: %w", id, err)
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return proto.Document{}, false, nil
	}
	return normalize(d), true, nil
}

func (s *Sink) exists(rel string) bool {
	_, err := s.root.Stat(rel)
	return err == nil
}

// encodeDocument renders a document as the file holds it: JSON indented by
// two spaces, HTML characters not escaped, a final newline.
func encodeDocument(d proto.Document) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encode document %s: %w", d.ID, err)
	}
	return b.Bytes(), nil
}

// normalize writes empty lists as [] rather than null, and copies the
// attachment info so that setting its path does not touch the caller's.
func normalize(d proto.Document) proto.Document {
	d.Ancestors = orEmpty(d.Ancestors)
	d.AncestorTitles = orEmpty(d.AncestorTitles)
	d.Labels = orEmpty(d.Labels)
	d.ACL.Users = orEmpty(d.ACL.Users)
	d.ACL.AccountIDs = orEmpty(d.ACL.AccountIDs)
	d.ACL.Groups = orEmpty(d.ACL.Groups)
	d.ACL.GroupNames = orEmpty(d.ACL.GroupNames)
	if d.Attachment != nil {
		a := *d.Attachment
		d.Attachment = &a
	}
	return d
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
