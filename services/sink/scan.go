package sink

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// docEntry is the last message of one document subject, headers only.
type docEntry struct {
	Subject string
	// ID is the subject's last token: the document id (Confluence ids are
	// digits or "att" + digits, which subject tokens keep unchanged).
	ID string
	// Ready says the last message is a DocumentReady, Deleted that it is a
	// tombstone (any version of either schema).
	Ready, Deleted bool
	// MsgID is the message's Nats-Msg-Id.
	MsgID string
	// At is when the stream stored the message.
	At time.Time
}

// spaceSubjects lists the document subjects of a space from the stream's
// subject index, which the server answers without reading a message.
// Reading the last message of every subject instead loaded every block
// of the documents stream once per space (spaces are crawled at once, so
// their documents share blocks): at 50,000 documents, over a gigabyte
// of file-store blocks passed through the server's cache per sweep.
func (s *Service) spaceSubjects(ctx context.Context, spaceID string) ([]string, error) {
	filter := proto.For(s.cfg.Site).Documents(spaceID)
	info, err := s.docs.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return nil, fmt.Errorf("list the document subjects of space %s: %w", spaceID, err)
	}
	out := make([]string, 0, len(info.State.Subjects))
	for sub := range info.State.Subjects {
		out = append(out, sub)
	}
	sort.Strings(out)
	return out, nil
}

// subjectID is a document subject's last token, the document id.
func subjectID(subject string) string { return subject[strings.LastIndexByte(subject, '.')+1:] }

// lastEntry reads the last message of one document subject; ok is false
// when the subject holds none (purged meanwhile).
func (s *Service) lastEntry(ctx context.Context, subject string) (docEntry, bool, error) {
	raw, err := s.docs.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return docEntry{}, false, nil
	}
	if err != nil {
		return docEntry{}, false, fmt.Errorf("read the last message of %s: %w", subject, err)
	}
	schema, _ := proto.ParseSchema(raw.Header.Get(proto.HeaderSchema))
	return docEntry{
		Subject: subject,
		ID:      subjectID(subject),
		Ready:   schema.Name == proto.SchemaDocumentReady.Name,
		Deleted: schema.Name == proto.SchemaDocumentDeleted.Name,
		MsgID:   raw.Header.Get(jetstream.MsgIDHeader),
		At:      raw.Time,
	}, true, nil
}

// sweepCandidates lists what planSweep needs of a space's documents: the
// last message of each subject the crawl did not see, read one by one
// (after a complete full crawl these are only the documents deleted in
// Confluence and the tombstones of earlier sweeps), and each seen
// subject as a ready document without reading it (planSweep keeps every
// seen document, so only the count of existing documents reads it).
func (s *Service) sweepCandidates(ctx context.Context, spaceID string, seen map[string]proto.Outcome) ([]docEntry, error) {
	subjects, err := s.spaceSubjects(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	docs := make([]docEntry, 0, len(subjects))
	for _, sub := range subjects {
		id := subjectID(sub)
		if _, ok := seen[id]; ok {
			docs = append(docs, docEntry{Subject: sub, ID: id, Ready: true})
			continue
		}
		d, ok, err := s.lastEntry(ctx, sub)
		if err != nil {
			return nil, err
		}
		if ok {
			docs = append(docs, d)
		}
	}
	return docs, nil
}
