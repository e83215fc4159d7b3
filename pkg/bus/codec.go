package bus

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/proto"
)

// ErrMalformed marks a message that can never be decoded: no or bad
// schema header, bytes that are not the schema's msgpack, or a claim that
// no longer exists. Such a message belongs in the dead-letter stream.
var ErrMalformed = errors.New("malformed message")

// ErrUnknownSchema marks a message whose schema this version does not
// know (not in proto.Known).
var ErrUnknownSchema = errors.New("unknown schema")

// Encode returns the msgpack form of m. The keys of map[string]string
// fields are sorted; other maps (DeadLetter.Headers) encode in iteration
// order, so compare decoded messages, not bytes.
func Encode(m proto.Message) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(&buf)
	enc.SetSortMapKeys(true)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.Schema(), err)
	}
	return buf.Bytes(), nil
}

// Decode reads the msgpack form of a message into into, which must be a
// pointer. Unknown fields are ignored (a newer writer may add fields);
// bytes left over after the message are an error.
func Decode(data []byte, into proto.Message) error {
	r := bytes.NewReader(data)
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(r)
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("decode %s: %w", into.Schema(), err)
	}
	if r.Len() > 0 {
		return fmt.Errorf("decode %s: %d bytes left after the message", into.Schema(), r.Len())
	}
	return nil
}

// DecodeMsg decodes a JetStream message: it reads the schema header, looks
// the schema up in proto.Known, resolves the claim check and decodes the
// payload. Errors name the subject and stream sequence and wrap
// ErrMalformed or ErrUnknownSchema when the message can never be decoded;
// any other error (the object store unreachable) is worth a retry.
func DecodeMsg(ctx context.Context, js ObjectStores, msg jetstream.Msg) (proto.Message, error) {
	where := Describe(msg)
	sv := msg.Headers().Get(proto.HeaderSchema)
	if sv == "" {
		return nil, fmt.Errorf("decode %s: %w: no %s header", where, ErrMalformed, proto.HeaderSchema)
	}
	if _, err := proto.ParseSchema(sv); err != nil {
		return nil, fmt.Errorf("decode %s: %w: %w", where, ErrMalformed, err)
	}
	mk, ok := proto.Known[sv]
	if !ok {
		return nil, fmt.Errorf("decode %s: %w %q", where, ErrUnknownSchema, sv)
	}
	data, err := Payload(ctx, js, msg)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", where, err)
	}
	m := mk()
	if err := Decode(data, m); err != nil {
		return nil, fmt.Errorf("decode %s: %w: %w", where, ErrMalformed, err)
	}
	return m, nil
}

// Describe names a message for errors and logs: its subject and, for a
// JetStream message, its stream and stream sequence.
func Describe(msg jetstream.Msg) string {
	md, err := msg.Metadata()
	if err != nil {
		return msg.Subject()
	}
	return fmt.Sprintf("%s (stream %s seq %d)", msg.Subject(), md.Stream, md.Sequence.Stream)
}
