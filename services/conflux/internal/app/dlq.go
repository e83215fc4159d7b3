package app

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// eachDeadLetter calls fn with every dead letter of this site, oldest
// first, until fn returns false.
func (a *App) eachDeadLetter(ctx context.Context, fn func(seq uint64, d *proto.DeadLetter) bool) error {
	cons, err := a.JS.OrderedConsumer(ctx, proto.StreamDeadLetters, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{"conflux." + a.Sub.Site() + ".dlq.>"},
	})
	if err != nil {
		return fmt.Errorf("read dead letters: %w", err)
	}
	info, err := cons.Info(ctx)
	if err != nil || info.NumPending == 0 {
		return err
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("read dead letters: %w", err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("read dead letters: %w", err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return err
		}
		m, err := bus.DecodeMsg(ctx, a.JS, msg)
		if d, ok := m.(*proto.DeadLetter); err == nil && ok && !fn(md.Sequence.Stream, d) {
			return nil
		}
		if md.NumPending == 0 {
			return nil
		}
	}
}

// ListDeadLetters prints up to limit dead letters.
func (a *App) ListDeadLetters(ctx context.Context, w io.Writer, limit int) error {
	n := 0
	err := a.eachDeadLetter(ctx, func(seq uint64, d *proto.DeadLetter) bool {
		n++
		fmt.Fprintf(w, "#%d %s %s (stream %s seq %d, %d deliveries): %s\n", seq, d.Stage, d.Subject, d.Stream, d.Sequence, d.Deliveries, d.Error)
		return n < limit
	})
	if n == 0 && err == nil {
		fmt.Fprintln(w, "no dead letters")
	}
	return err
}

// RedriveDeadLetters publishes dead letters (of one stage, or all) again to
// their original subjects with their original headers, under a new
// message id so that the duplicate window lets them through.
func (a *App) RedriveDeadLetters(ctx context.Context, stage string) (int, error) {
	var batch []*proto.DeadLetter
	err := a.eachDeadLetter(ctx, func(_ uint64, d *proto.DeadLetter) bool {
		if stage == "" || d.Stage == stage {
			batch = append(batch, d)
		}
		return true
	})
	if err != nil {
		return 0, err
	}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	pub := bus.NewPublisher(a.JS)
	for i, d := range batch {
		// The dead letter holds the payload itself (a claim check is
		// resolved into it); PublishRaw claim-checks it again if large.
		id := "redrive:" + stamp + ":" + strconv.Itoa(i)
		if err := pub.PublishRaw(ctx, d.Subject, nats.Header(d.Headers), d.Payload, id); err != nil {
			return i, fmt.Errorf("redrive %s: %w", d.Subject, err)
		}
	}
	return len(batch), nil
}
