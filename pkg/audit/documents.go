package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// readDocuments reads the latest DocumentReady of the wanted ids from the
// documents stream (one pass over the last message of every subject).
func readDocuments(ctx context.Context, js jetstream.JetStream, site string, want map[string]bool) (map[string]*proto.DocumentReady, error) {
	out := map[string]*proto.DocumentReady{}
	err := bus.EachLast(ctx, js, proto.StreamDocuments, proto.For(site).Documents(""), false, func(msg jetstream.Msg) error {
		m, err := bus.DecodeMsg(ctx, js, msg)
		if errors.Is(err, bus.ErrMalformed) || errors.Is(err, bus.ErrUnknownSchema) {
			return nil
		}
		if err != nil {
			return err
		}
		if d, ok := m.(*proto.DocumentReady); ok && want[d.Document.ID] {
			out[d.Document.ID] = d
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read documents: %w", err)
	}
	return out, nil
}

// lastDocument reads the latest message of one document subject: the
// document (nil for a tombstone or none) and its stream sequence.
func lastDocument(ctx context.Context, js jetstream.JetStream, subject string) (*proto.DocumentReady, uint64, error) {
	var doc *proto.DocumentReady
	var seq uint64
	err := bus.EachLast(ctx, js, proto.StreamDocuments, subject, false, func(msg jetstream.Msg) error {
		md, err := msg.Metadata()
		if err != nil {
			return err
		}
		seq = md.Sequence.Stream
		m, err := bus.DecodeMsg(ctx, js, msg)
		if err != nil {
			return err
		}
		doc, _ = m.(*proto.DocumentReady)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", subject, err)
	}
	return doc, seq, nil
}
