package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// LastMsgGetter is the role of a stream that LastOnSubject reads.
type LastMsgGetter interface {
	GetLastMsgForSubject(ctx context.Context, subject string) (*jetstream.RawStreamMsg, error)
}

// LastOnSubject reads and decodes the last message of a stream's subject
// (schema header, claim check), or returns nil, nil when the subject has
// none. It costs one direct read of the stream.
func LastOnSubject(ctx context.Context, js ObjectStores, stream LastMsgGetter, name, subject string) (proto.Message, error) {
	raw, err := stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read last message of %s: %w", subject, err)
	}
	return DecodeMsg(ctx, js, rawMsg{raw: raw, stream: name})
}

// rawMsg presents a message read directly from a stream as a
// jetstream.Msg for DecodeMsg. It cannot be acknowledged.
type rawMsg struct {
	raw    *jetstream.RawStreamMsg
	stream string
}

var errReadDirectly = errors.New("message was read directly from the stream: nothing to acknowledge")

func (m rawMsg) Metadata() (*jetstream.MsgMetadata, error) {
	return &jetstream.MsgMetadata{
		Sequence: jetstream.SequencePair{Stream: m.raw.Sequence}, Stream: m.stream, Timestamp: m.raw.Time,
	}, nil
}
func (m rawMsg) Data() []byte                     { return m.raw.Data }
func (m rawMsg) Headers() nats.Header             { return m.raw.Header }
func (m rawMsg) Subject() string                  { return m.raw.Subject }
func (m rawMsg) Reply() string                    { return "" }
func (m rawMsg) Ack() error                       { return errReadDirectly }
func (m rawMsg) DoubleAck(context.Context) error  { return errReadDirectly }
func (m rawMsg) Nak() error                       { return errReadDirectly }
func (m rawMsg) NakWithDelay(time.Duration) error { return errReadDirectly }
func (m rawMsg) InProgress() error                { return errReadDirectly }
func (m rawMsg) Term() error                      { return errReadDirectly }
func (m rawMsg) TermWithReason(string) error      { return errReadDirectly }
