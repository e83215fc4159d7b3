package bus

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// StageStatus is the lag of one durable consumer of a stage, as
// `conflux status` shows it.
type StageStatus struct {
	Stage   string
	Stream  string
	Durable string
	// Pending counts messages not yet delivered: the backlog.
	Pending uint64
	// AckPending counts messages delivered and not yet acknowledged: in
	// flight (or waiting for a delayed redelivery).
	AckPending int
	// Redelivered counts messages delivered more than once and not yet
	// acknowledged.
	Redelivered int
	// Waiting counts pull requests waiting for messages: idle workers.
	Waiting int
	// MaxAckPending is the consumer's limit; AckPending at this limit means
	// the stage is stuck.
	MaxAckPending int
	// DeadLetters counts the stage's messages in the dead-letter stream.
	DeadLetters uint64
	// Done is the consumer's ack floor: how many messages it has finished
	// (acknowledged or terminated) in order. Two reports give a rate.
	Done uint64
}

// Report is the state of every stage of a site.
type Report struct {
	Stages []StageStatus
	// DeadLetters counts the site's messages in the dead-letter stream.
	DeadLetters uint64
}

// Status reads the consumer info of the given durable consumers of site
// (nil: the topology's, proto.Consumers) and counts its dead letters per
// stage.
func Status(ctx context.Context, js jetstream.JetStream, site string, consumers []proto.Consumer) (Report, error) {
	if consumers == nil {
		consumers = proto.Consumers(site, proto.Options{})
	}
	dead, err := deadLetterCounts(ctx, js, site)
	if err != nil {
		return Report{}, err
	}
	var r Report
	for _, n := range dead {
		r.DeadLetters += n
	}
	for _, c := range consumers {
		cons, err := js.Consumer(ctx, c.Stream, c.Config.Durable)
		if err != nil {
			return Report{}, fmt.Errorf("status of %s on %s: %w", c.Config.Durable, c.Stream, err)
		}
		info := cons.CachedInfo()
		r.Stages = append(r.Stages, StageStatus{
			Stage: c.Stage, Stream: c.Stream, Durable: c.Config.Durable,
			Pending: info.NumPending, AckPending: info.NumAckPending,
			Redelivered: info.NumRedelivered, Waiting: info.NumWaiting,
			MaxAckPending: info.Config.MaxAckPending, Done: info.AckFloor.Consumer,
			DeadLetters: dead[proto.For(site).DeadLetter(c.Stage)],
		})
	}
	return r, nil
}

// deadLetterCounts returns the number of messages per dead-letter subject
// of site.
func deadLetterCounts(ctx context.Context, js jetstream.JetStream, site string) (map[string]uint64, error) {
	st, err := js.Stream(ctx, proto.StreamDeadLetters)
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", proto.StreamDeadLetters, err)
	}
	filter := "conflux." + proto.For(site).Site() + ".dlq.>"
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", proto.StreamDeadLetters, err)
	}
	return info.State.Subjects, nil
}
