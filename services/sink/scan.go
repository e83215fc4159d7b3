package sink

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// scanIdle bounds the wait for the next message of a scan, so that a
// stalled server fails the scan instead of hanging it.
const scanIdle = time.Minute

// eachLast calls fn with the last message of every subject of the
// documents stream that matches filter, in stream order, and returns once
// it has caught up (NumPending 0). headersOnly leaves the payloads out.
// It reads through an ordered consumer, which it deletes at the end.
func eachLast(ctx context.Context, js jetstream.JetStream, filter string, headersOnly bool, fn func(jetstream.Msg) error) error {
	cons, err := js.OrderedConsumer(ctx, proto.StreamDocuments, jetstream.OrderedConsumerConfig{
		FilterSubjects:    []string{filter},
		DeliverPolicy:     jetstream.DeliverLastPerSubjectPolicy,
		HeadersOnly:       headersOnly,
		InactiveThreshold: time.Minute,
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", filter, err)
	}
	defer func() {
		if info := cons.CachedInfo(); info != nil {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = js.DeleteConsumer(dctx, proto.StreamDocuments, info.Name)
			cancel()
		}
	}()
	if info := cons.CachedInfo(); info != nil && info.NumPending == 0 {
		return nil
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(256))
	if err != nil {
		return fmt.Errorf("read %s: %w", filter, err)
	}
	defer it.Stop()
	for {
		nctx, cancel := context.WithTimeout(ctx, scanIdle)
		msg, err := it.Next(jetstream.NextContext(nctx))
		cancel()
		if err != nil {
			return fmt.Errorf("read %s: %w", filter, err)
		}
		if err := fn(msg); err != nil {
			return err
		}
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("read %s: %w", filter, err)
		}
		if md.NumPending == 0 {
			return nil
		}
	}
}

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
	err := eachLast(ctx, s.js, filter, true, func(msg jetstream.Msg) error {
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
