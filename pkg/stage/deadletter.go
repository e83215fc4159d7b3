package stage

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// deadLetterAttempts bounds the tries to publish one dead letter.
const deadLetterAttempts = 3

// giveUp publishes a dead letter for m and terminates it. If the dead
// letter cannot be published, m is not terminated: it is retried, so
// nothing is lost silently.
func (r *Runner) giveUp(ctx context.Context, m jetstream.Msg, md *jetstream.MsgMetadata, payload proto.Message, cause error, log *slog.Logger) Outcome {
	// Dead letters are published even when shutdown cut the handler off.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	dl := r.deadLetter(ctx, m, md, payload, cause)
	if err := r.publishDeadLetter(ctx, dl, md); err != nil {
		log.Error("dead letter failed; message kept for retry", "error", err, "cause", cause)
		r.stats.retried.Add(1)
		if err := m.NakWithDelay(r.cfg.BackoffMax); err != nil {
			log.Warn("nak", "error", err)
		}
		return Retried
	}
	r.stats.dead.Add(1)
	log.Error("dead-lettered", "error", cause, "dead_letter_subject", r.cfg.DeadLetterSubject)
	if r.onDead != nil {
		r.onDead(ctx, dl, payload)
	}
	if err := m.TermWithReason(truncate(cause.Error(), 256)); err != nil {
		log.Warn("term", "error", err)
	}
	return DeadLettered
}

// deadLetter describes m: where it came from, how often it was delivered,
// why it failed, its headers and its payload (the claim check resolved
// when possible, so the dead letter outlives the claim).
func (r *Runner) deadLetter(ctx context.Context, m jetstream.Msg, md *jetstream.MsgMetadata, payload proto.Message, cause error) *proto.DeadLetter {
	dl := &proto.DeadLetter{
		Stage: r.cfg.Stage, Stream: md.Stream, Consumer: md.Consumer,
		Subject: m.Subject(), Sequence: md.Sequence.Stream, Deliveries: md.NumDelivered,
		Error: cause.Error(), Headers: map[string][]string{}, Payload: m.Data(),
	}
	for k, v := range m.Headers() {
		dl.Headers[k] = append([]string(nil), v...)
	}
	if m.Headers().Get(bus.HeaderClaim) != "" {
		if data, err := bus.Payload(ctx, r.js, m); err == nil {
			dl.Payload = data
		}
	}
	if t, ok := payload.(proto.Tracked); ok {
		dl.CrawlID, dl.SpaceID, dl.ItemID = t.Track()
	} else {
		dl.CrawlID = m.Headers().Get(proto.HeaderCrawl)
	}
	return dl
}

func (r *Runner) publishDeadLetter(ctx context.Context, dl *proto.DeadLetter, md *jetstream.MsgMetadata) error {
	id := "dlq:" + md.Stream + ":" + md.Consumer + ":" + strconv.FormatUint(md.Sequence.Stream, 10)
	var err error
	for attempt := range deadLetterAttempts {
		if err = r.pub.Publish(ctx, r.cfg.DeadLetterSubject, dl, id); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("publish dead letter: %w", err)
		case <-time.After(time.Duration(attempt+1) * time.Second):
		}
	}
	return fmt.Errorf("publish dead letter: %w", err)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
