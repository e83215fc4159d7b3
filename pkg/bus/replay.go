package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// StartAt says where a replay begins: at a stream sequence, or at the
// first message stored at or after a time. Sequence wins when both are
// set; the zero value is the start of the stream.
type StartAt struct {
	Sequence uint64
	Time     time.Time
}

// String names the start point for logs: "sequence N", "time T" or "the start".
func (a StartAt) String() string {
	switch {
	case a.Sequence > 0:
		return fmt.Sprintf("sequence %d", a.Sequence)
	case !a.Time.IsZero():
		return "time " + a.Time.UTC().Format(time.RFC3339Nano)
	default:
		return "the start"
	}
}

// apply sets the deliver policy of a consumer config.
func (a StartAt) apply(cfg *jetstream.ConsumerConfig) {
	switch {
	case a.Sequence > 0:
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = a.Sequence
	case !a.Time.IsZero():
		t := a.Time
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		cfg.OptStartTime = &t
	default:
		cfg.DeliverPolicy = jetstream.DeliverAllPolicy
	}
}

// SequenceAt returns the stream sequence at which at begins on stream,
// among the subjects matching filter ("" for all): at.Sequence itself, or
// the sequence of the first message stored at or after at.Time (one past
// the last message when there is none). It asks the server through a
// short-lived ephemeral consumer.
func SequenceAt(ctx context.Context, js jetstream.JetStream, stream, filter string, at StartAt) (uint64, error) {
	if at.Sequence > 0 {
		return at.Sequence, nil
	}
	if at.Time.IsZero() {
		return 1, nil
	}
	cfg := jetstream.ConsumerConfig{
		AckPolicy: jetstream.AckNonePolicy, FilterSubject: filter,
		InactiveThreshold: time.Minute, MemoryStorage: true,
	}
	at.apply(&cfg)
	cons, err := js.CreateConsumer(ctx, stream, cfg)
	if err != nil {
		return 0, fmt.Errorf("find %s in %s: %w", at, stream, err)
	}
	info := cons.CachedInfo()
	if err := js.DeleteConsumer(ctx, stream, info.Name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return 0, fmt.Errorf("find %s in %s: delete probe: %w", at, stream, err)
	}
	return info.Delivered.Stream + 1, nil
}

// Rewind re-drives a stage: it resets the stage's shared durable consumer
// so that every replica receives again the messages from at on, acked or
// not (ResetConsumerToSequence, NATS server 2.14 or later). It returns the
// sequence delivery restarts from. Handlers must be idempotent, as they
// are for redeliveries.
func Rewind(ctx context.Context, js jetstream.JetStream, stream, durable string, at StartAt) (uint64, error) {
	cons, err := js.Consumer(ctx, stream, durable)
	if err != nil {
		return 0, fmt.Errorf("rewind %s on %s: %w", durable, stream, err)
	}
	filter := cons.CachedInfo().Config.FilterSubject
	seq, err := SequenceAt(ctx, js, stream, filter, at)
	if err != nil {
		return 0, fmt.Errorf("rewind %s on %s: %w", durable, stream, err)
	}
	if _, err := js.ResetConsumerToSequence(ctx, stream, durable, seq); err != nil {
		return 0, fmt.Errorf("rewind %s on %s to %s: %w", durable, stream, at, err)
	}
	return seq, nil
}

// ReplayOptions describe a replay consumer.
type ReplayOptions struct {
	// Name of the durable consumer (e.g. "sink_rebuild_20261128"); the
	// replicas that replay share it. Required.
	Name string
	// Filter limits the replay to matching subjects ("" for all).
	Filter string
	// At is where the replay begins.
	At StartAt
	// AckWait before an unacknowledged message is redelivered. Default 60s.
	AckWait time.Duration
	// MaxDeliver before a message is given up. Default 6.
	MaxDeliver int
	// MaxAckPending bounds the messages in flight. Default 256.
	MaxAckPending int
	// InactiveThreshold deletes the consumer once nobody has pulled from it
	// for this long. Default 1h.
	InactiveThreshold time.Duration
}

// ReplayConsumer creates (or updates) a durable pull consumer that
// delivers stream from o.At on, for rebuilding a sink or re-running a
// stage on old input without touching the stage's own consumer. Run a
// stage.Runner on it (Config.Durable = o.Name). The server deletes it
// after o.InactiveThreshold without pulls.
func ReplayConsumer(ctx context.Context, js jetstream.JetStream, stream string, o ReplayOptions) (jetstream.Consumer, error) {
	if o.Name == "" {
		return nil, errors.New("replay consumer: name is required")
	}
	cfg := jetstream.ConsumerConfig{
		Durable:           o.Name,
		Description:       "replay from " + o.At.String(),
		FilterSubject:     o.Filter,
		AckPolicy:         jetstream.AckExplicitPolicy,
		AckWait:           withDefault(o.AckWait, 60*time.Second),
		MaxDeliver:        withDefault(o.MaxDeliver, 6),
		MaxAckPending:     withDefault(o.MaxAckPending, 256),
		InactiveThreshold: withDefault(o.InactiveThreshold, time.Hour),
	}
	o.At.apply(&cfg)
	cons, err := js.CreateOrUpdateConsumer(ctx, stream, cfg)
	if err != nil {
		return nil, fmt.Errorf("replay consumer %s on %s: %w", o.Name, stream, err)
	}
	return cons, nil
}

func withDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
