package stage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// process decodes, handles and settles one message.
func (r *Runner) process(ctx context.Context, m jetstream.Msg, lim limits) {
	start := time.Now()
	r.stats.inFlight.Add(1)
	defer r.stats.inFlight.Add(-1)
	defer r.stats.processed.Add(1)
	md, err := m.Metadata()
	if err != nil { // not a JetStream message: nothing to settle
		r.log.Error("message without metadata", "subject", m.Subject(), "error", err)
		return
	}
	log := r.log.With("subject", m.Subject(), "attempt", md.NumDelivered, "stream_seq", md.Sequence.Stream)
	f, first := r.flights.join(md.Sequence.Stream)
	for !first { // delivered again while an earlier delivery is handled here
		if follow(m, f, lim.inProgress) {
			r.stats.acked.Add(1)
			if err := m.Ack(); err != nil {
				log.Warn("ack", "error", err)
			}
			log.Debug("settled with its earlier delivery")
			r.obs.Settled(r.cfg.Stage, Acked, time.Since(start))
			return
		}
		f, first = r.flights.join(md.Sequence.Stream) // the earlier one failed: handle this one
	}
	outcome := r.handle(ctx, m, md, lim, log)
	r.flights.land(md.Sequence.Stream, f, outcome == Acked)
	r.obs.Settled(r.cfg.Stage, outcome, time.Since(start))
}

// handle decodes a message, runs the handler and settles the message.
func (r *Runner) handle(ctx context.Context, m jetstream.Msg, md *jetstream.MsgMetadata, lim limits, log *slog.Logger) Outcome {
	payload, err := bus.DecodeMsg(ctx, r.js, m)
	switch {
	case errors.Is(err, bus.ErrMalformed) || errors.Is(err, bus.ErrUnknownSchema):
		return r.giveUp(ctx, m, md, nil, err, log)
	case err != nil:
		return r.settle(ctx, m, md, nil, err, lim, log)
	}
	msg := &Msg{Subject: m.Subject(), Header: m.Headers(), Payload: payload, Raw: m, Deliveries: md.NumDelivered, Log: log}
	err = r.chained(ctx, msg)
	return r.settle(ctx, m, md, payload, err, lim, msg.Log)
}

// chain is the stage's handler in the runner's middleware and the
// stage's own (WithMiddleware).
func (r *Runner) chain(lim limits) Handler {
	mws := append([]Middleware{Tracing, Recover, Renew(lim.inProgress)}, r.mws...)
	return Chain(r.h, mws...)
}

// settle acks, retries or gives up on a message after its handler ran,
// and says which.
func (r *Runner) settle(ctx context.Context, m jetstream.Msg, md *jetstream.MsgMetadata, payload proto.Message, err error, lim limits, log *slog.Logger) Outcome {
	last := lim.maxDeliver > 0 && md.NumDelivered >= uint64(lim.maxDeliver)
	switch {
	case err == nil:
		r.stats.acked.Add(1)
		if err := m.Ack(); err != nil {
			log.Warn("ack", "error", err)
		}
		log.Debug("handled")
		return Acked
	case IsPermanent(err):
		return r.giveUp(ctx, m, md, payload, err, log)
	case last:
		return r.giveUp(ctx, m, md, payload, fmt.Errorf("gave up after %d deliveries: %w", md.NumDelivered, err), log)
	case ctx.Err() != nil: // cut off by shutdown: another replica takes it now
		r.stats.interrupted.Add(1)
		log.Info("handed back at shutdown", "error", err)
		if err := m.Nak(); err != nil {
			log.Warn("nak", "error", err)
		}
		return Interrupted
	default:
		d, ok := RetryDelay(err)
		if !ok {
			d = backoff(r.cfg.BackoffBase, r.cfg.BackoffMax, md.NumDelivered)
		}
		r.stats.retried.Add(1)
		log.Warn("will retry", "error", err, "delay", d)
		if err := m.NakWithDelay(d); err != nil {
			log.Warn("nak", "error", err)
		}
		return Retried
	}
}
