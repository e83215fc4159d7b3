package permissions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// lastMsgGetter is the role of the documents stream a permission-only
// sync needs.
type lastMsgGetter interface {
	GetLastMsgForSubject(ctx context.Context, subject string) (*jetstream.RawStreamMsg, error)
}

// lastDocument returns the latest DocumentReady on a document subject, or
// nil when there is none or the latest is a tombstone.
func lastDocument(ctx context.Context, js jetstream.JetStream, docs lastMsgGetter, subject string) (*proto.DocumentReady, error) {
	raw, err := docs.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read last document %s: %w", subject, err)
	}
	m, err := bus.DecodeMsg(ctx, js, storedMsg{raw: raw})
	if err != nil {
		return nil, err
	}
	doc, _ := m.(*proto.DocumentReady)
	return doc, nil
}

// storedMsg presents a message read from a stream by sequence or subject
// as a jetstream.Msg, so that bus.DecodeMsg can read it (schema header,
// claim check). It cannot be acknowledged.
type storedMsg struct{ raw *jetstream.RawStreamMsg }

var errNotConsumed = errors.New("message was read directly from the stream: nothing to acknowledge")

func (m storedMsg) Metadata() (*jetstream.MsgMetadata, error) {
	return &jetstream.MsgMetadata{
		Sequence:  jetstream.SequencePair{Stream: m.raw.Sequence},
		Stream:    proto.StreamDocuments,
		Timestamp: m.raw.Time,
	}, nil
}
func (m storedMsg) Data() []byte                     { return m.raw.Data }
func (m storedMsg) Headers() nats.Header             { return m.raw.Header }
func (m storedMsg) Subject() string                  { return m.raw.Subject }
func (m storedMsg) Reply() string                    { return "" }
func (m storedMsg) Ack() error                       { return errNotConsumed }
func (m storedMsg) DoubleAck(context.Context) error  { return errNotConsumed }
func (m storedMsg) Nak() error                       { return errNotConsumed }
func (m storedMsg) NakWithDelay(time.Duration) error { return errNotConsumed }
func (m storedMsg) InProgress() error                { return errNotConsumed }
func (m storedMsg) Term() error                      { return errNotConsumed }
func (m storedMsg) TermWithReason(string) error      { return errNotConsumed }
