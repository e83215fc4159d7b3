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
	pub, sub, cons := publishContent(t, js, "1", "2", "3")
	durable := proto.Durable(proto.StagePermissions, "content", site)
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

// publishContent publishes a ContentFetched for each id to space s and
// returns the publisher, the site's subjects and the permission stage's
// content consumer, which has not read them yet.
func publishContent(t *testing.T, js jetstream.JetStream, ids ...string) (*bus.Publisher, proto.Subjects, jetstream.Consumer) {
	t.Helper()
	ctx := testCtx(t)
	pub := bus.NewPublisher(js)
	sub := proto.For(site)
	for _, id := range ids {
		if err := pub.Publish(ctx, sub.Content("s", id), content(id), ""); err != nil {
			t.Fatal(err)
		}
	}
	cons, err := js.Consumer(ctx, proto.StreamContent, proto.Durable(proto.StagePermissions, "content", site))
	if err != nil {
		t.Fatal(err)
	}
	return pub, sub, cons
}
