package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lastIdle bounds the wait for the next message of EachLast, so that a
// stalled server fails the read instead of hanging it.
const lastIdle = time.Minute

// EachLast calls fn with the last message of every subject of stream that
// matches filter, in stream order, and returns once it has caught up
// (NumPending 0). headersOnly leaves the payloads out (DecodeMsg needs
// them). It reads through an ordered consumer, which it deletes at the
// end; each wait for the next message is bounded by one minute. An error
// from fn stops the read and is returned as is, so a caller may stop early
// with a sentinel error of its own.
func EachLast(ctx context.Context, js jetstream.JetStream, stream, filter string, headersOnly bool, fn func(jetstream.Msg) error) error {
	return each(ctx, js, stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{filter}, DeliverPolicy: jetstream.DeliverLastPerSubjectPolicy,
		HeadersOnly: headersOnly, InactiveThreshold: time.Minute,
	}, fn)
}

// Each calls fn with every message of stream that matches filter, in
// stream order, and returns once it has caught up, as EachLast does.
func Each(ctx context.Context, js jetstream.JetStream, stream, filter string, fn func(jetstream.Msg) error) error {
	return each(ctx, js, stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{filter}, DeliverPolicy: jetstream.DeliverAllPolicy, InactiveThreshold: time.Minute,
	}, fn)
}

func each(ctx context.Context, js jetstream.JetStream, stream string, cfg jetstream.OrderedConsumerConfig, fn func(jetstream.Msg) error) error {
	filter := cfg.FilterSubjects[0]
	cons, err := js.OrderedConsumer(ctx, stream, cfg)
	if err != nil {
		return fmt.Errorf("read %s: %w", filter, err)
	}
	defer func() {
		if info := cons.CachedInfo(); info != nil {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = js.DeleteConsumer(dctx, stream, info.Name)
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
		nctx, cancel := context.WithTimeout(ctx, lastIdle)
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
