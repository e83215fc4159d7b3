package stage

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// Handler handles one message. Its result decides the message's fate (see
// the package comment). ctx ends when the runner's shutdown grace is over.
type Handler func(ctx context.Context, m *Msg) error

// Msg is a decoded message as a handler sees it.
type Msg struct {
	// Subject the message was published on.
	Subject string
	// Header of the message as published (schema, crawl, Nats-Msg-Id …).
	Header nats.Header
	// Payload is the decoded message, the claim check already resolved.
	Payload proto.Message
	// Raw is the JetStream message. Handlers must not ack it: the runner
	// does.
	Raw jetstream.Msg
	// Deliveries counts deliveries of this message, this one included (1 on
	// the first).
	Deliveries uint64
	// Log is the runner's logger with the message's subject, attempt and
	// stream sequence, and (middleware Tracing) the crawl_id, space_id and
	// content_id of a tracked payload.
	Log *slog.Logger
}

// InProgress tells the server the message is still being worked on,
// resetting its AckWait. The runner already does this every AckWait/3
// while the handler runs.
func (m *Msg) InProgress() error { return m.Raw.InProgress() }
