package bus

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// Publisher publishes messages to JetStream: msgpack bodies, the schema
// header, the crawl header for tracked messages, a Nats-Msg-Id for
// de-duplication, and a claim check for large payloads. It is safe for
// concurrent use.
type Publisher struct {
	js        jetstream.JetStream
	threshold int
	claims    *claims
}

// PublisherOption configures a Publisher.
type PublisherOption func(*Publisher)

// WithClaimThreshold sets the payload size in bytes above which a payload
// travels by claim check (default DefaultClaimThreshold, 256 KiB). Keep it
// well under the server's max_payload (1 MiB by default).
func WithClaimThreshold(bytes int) PublisherOption {
	return func(p *Publisher) {
		if bytes > 0 {
			p.threshold = bytes
		}
	}
}

// NewPublisher returns a Publisher on js. The claim-check object store,
// proto.ObjectClaims, is bound on the first large payload.
func NewPublisher(js jetstream.JetStream, opts ...PublisherOption) *Publisher {
	p := &Publisher{js: js, threshold: DefaultClaimThreshold, claims: &claims{js: js}}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Publish encodes m and publishes it on subject and waits for the stream
// to store it. msgID becomes the Nats-Msg-Id (build it with proto.MsgID
// from id, version and crawl; empty means no de-duplication); a duplicate
// within the stream's window is not an error.
func (p *Publisher) Publish(ctx context.Context, subject string, m proto.Message, msgID string) error {
	data, err := Encode(m)
	if err != nil {
		return err
	}
	h := nats.Header{}
	h.Set(proto.HeaderSchema, m.Schema().String())
	if t, ok := m.(proto.Tracked); ok {
		if crawl, _, _ := t.Track(); crawl != "" {
			h.Set(proto.HeaderCrawl, crawl)
		}
	}
	if err := p.PublishRaw(ctx, subject, h, data, msgID); err != nil {
		return fmt.Errorf("publish %s: %w", m.Schema(), err)
	}
	return nil
}

// PublishRaw publishes an already encoded payload with the given headers
// (which must include the schema header), applying the claim check. It is
// for tools that move messages as they are, such as a dead-letter
// redrive; header is not modified.
func (p *Publisher) PublishRaw(ctx context.Context, subject string, header nats.Header, data []byte, msgID string) error {
	msg := &nats.Msg{Subject: subject, Header: nats.Header{}, Data: data}
	for k, v := range header {
		if k != HeaderClaim && k != jetstream.MsgIDHeader {
			msg.Header[k] = append([]string(nil), v...)
		}
	}
	if len(data) > p.threshold {
		name, err := p.claims.put(ctx, data)
		if err != nil {
			return fmt.Errorf("to %s: %w", subject, err)
		}
		msg.Header.Set(HeaderClaim, name)
		msg.Data = nil
	}
	var opts []jetstream.PublishOpt
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	if _, err := p.js.PublishMsg(ctx, msg, opts...); err != nil {
		return fmt.Errorf("to %s: %w", subject, err)
	}
	return nil
}
