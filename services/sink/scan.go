package sink

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
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

// spaceDocuments lists the last message of every document subject of a
// space.
func (s *Service) spaceDocuments(ctx context.Context, spaceID string) ([]docEntry, error) {
	var out []docEntry
	filter := proto.For(s.cfg.Site).Documents(spaceID)
	err := bus.EachLast(ctx, s.js, proto.StreamDocuments, filter, true, func(msg jetstream.Msg) error {
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("read %s: %w", msg.Subject(), err)
		}
		sub := msg.Subject()
		schema, _ := proto.ParseSchema(msg.Headers().Get(proto.HeaderSchema))
		out = append(out, docEntry{
			Subject: sub,
			ID:      sub[strings.LastIndexByte(sub, '.')+1:],
			Ready:   schema.Name == proto.SchemaDocumentReady.Name,
			Deleted: schema.Name == proto.SchemaDocumentDeleted.Name,
			MsgID:   msg.Headers().Get(jetstream.MsgIDHeader),
			At:      md.Timestamp,
		})
		return nil
	})
	return out, err
}
