// Package sinkport is the port every sink back-end implements: the file
// sink, PostgreSQL, and whatever comes next. The sink stage, its sweeper
// (through the tombstones it applies) and the rebuild from the documents
// stream write only through it, so a new target is one file implementing
// Sink plus a run of the shared conformance suite (package sinkporttest).
//
// The contract, which sinkporttest checks for every back-end:
//
//   - Upsert writes documents by id and version: a version lower than the
//     stored one is ignored; the same version is applied (a
//     permission-only sync changes an ACL without a new version); within
//     one batch the highest version of an id wins. Writing the same
//     documents again leaves the same state, so a rebuild from the
//     documents stream and a redelivered message change nothing.
//   - A batch that fails (an invalid document, a lost connection, a
//     cancelled context) may have written some of its documents, never a
//     part of one, and never anything that was not in the batch; the caller
//     retries the whole batch, which then converges to the state of a
//     single successful write, without loss and without duplicates.
//   - Delete removes documents (and whatever files they own) by id; a
//     missing id is no error.
//   - WriteGroups stores each group with its members, replacing what was
//     stored under its id, so that a search can expand the groups an ACL
//     names.
package sinkport

import (
	"context"
	"io"

	"github.com/conflux-dev/conflux/proto"
)

// Item is one document to upsert.
type Item struct {
	Doc proto.Document
	// Attachment streams the bytes of an attachment document (nil: the
	// metadata only). A back-end that keeps no bytes never reads it; one
	// that does reads it to its end at most once and does not close it.
	Attachment io.Reader
}

// Sink is a sink back-end. Implementations are safe for concurrent use.
type Sink interface {
	// Upsert writes a batch of documents (see the package comment).
	Upsert(ctx context.Context, items []Item) error
	// Delete removes documents by id; missing ones are no error.
	Delete(ctx context.Context, ids []string) error
	// WriteGroups stores groups with their members, by group id.
	WriteGroups(ctx context.Context, groups []proto.Group) error
	// Close releases the back-end. The Sink must not be used afterwards.
	Close() error
}

// Reader reads back what a Sink stored, as a search engine or a test sees
// it. Every back-end implements it; the conformance suite uses it.
type Reader interface {
	// Document returns the stored document with an id, and whether there
	// is one.
	Document(ctx context.Context, id string) (proto.Document, bool, error)
	// Documents returns every stored document, sorted by id.
	Documents(ctx context.Context) ([]proto.Document, error)
	// Group returns a stored group, and whether there is one.
	Group(ctx context.Context, id string) (proto.Group, bool, error)
}

// Backend is a Sink that can also be read back.
type Backend interface {
	Sink
	Reader
}

// Dedupe returns a batch with one item per id, the one with the highest
// version (the last one among equal versions), sorted by id, so that a
// back-end writing a batch in one statement never touches a row twice and
// concurrent batches lock rows in the same order. Items with an empty id
// are kept, in order, after the others, for the back-end to refuse.
func Dedupe(items []Item) []Item {
	best := make(map[string]int, len(items))
	var empty []Item
	for i, it := range items {
		if it.Doc.ID == "" {
			empty = append(empty, it)
			continue
		}
		if j, ok := best[it.Doc.ID]; !ok || items[j].Doc.Version <= it.Doc.Version {
			best[it.Doc.ID] = i
		}
	}
	out := make([]Item, 0, len(best)+len(empty))
	for _, i := range best {
		out = append(out, items[i])
	}
	sortItems(out)
	return append(out, empty...)
}

// DedupeGroups returns one group per id (the last one given), sorted by id.
func DedupeGroups(groups []proto.Group) []proto.Group {
	last := make(map[string]int, len(groups))
	for i, g := range groups {
		last[g.ID] = i
	}
	out := make([]proto.Group, 0, len(last))
	for _, i := range last {
		out = append(out, groups[i])
	}
	sortGroups(out)
	return out
}
