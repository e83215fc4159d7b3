package bus_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

func TestStatus(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	pub := bus.NewPublisher(js)
	sub := proto.For(site)
	for _, id := range []string{"1", "2", "3"} {
		if err := pub.Publish(ctx, sub.Content("s", id), content(id), ""); err != nil {
			t.Fatal(err)
		}
	}
	durable := proto.Durable(proto.StagePermissions, "content", site)
	cons, err := js.Consumer(ctx, proto.StreamContent, durable)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cons.Next(jetstream.FetchMaxWait(30 * time.Second)); err != nil { // left unacked: in flight
		t.Fatal(err)
	}
	dl := &proto.DeadLetter{Stage: proto.StagePermissions, Error: "boom"}
	if err := pub.Publish(ctx, sub.DeadLetter(proto.StagePermissions), dl, ""); err != nil {
		t.Fatal(err)
	}

	r, err := bus.Status(ctx, js, site, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.DeadLetters != 1 {
		t.Errorf("dead letters = %d, want 1", r.DeadLetters)
	}
	if len(r.Stages) != len(proto.Consumers(site, proto.Options{})) {
		t.Fatalf("%d stages, want one per consumer", len(r.Stages))
	}
	for _, st := range r.Stages {
		if st.Durable != durable {
			if st.Pending != 0 || st.AckPending != 0 {
				t.Errorf("%s: pending %d ack pending %d, want 0", st.Durable, st.Pending, st.AckPending)
			}
			continue
		}
		if st.Pending != 2 || st.AckPending != 1 || st.DeadLetters != 1 || st.Stage != proto.StagePermissions {
			t.Errorf("%s: %+v, want 2 pending, 1 ack pending, 1 dead letter", st.Durable, st)
		}
	}
}
