package bus_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// publishN publishes n content messages and returns the time between
// message split and split+1 (1-based).
func publishN(t *testing.T, js jetstream.JetStream, n, split int) time.Time {
	t.Helper()
	ctx := testCtx(t)
	pub := bus.NewPublisher(js)
	var mark time.Time
	for i := 1; i <= n; i++ {
		id := string(rune('a' + i - 1))
		if err := pub.Publish(ctx, proto.For(site).Content("s", id), content(id), ""); err != nil {
			t.Fatal(err)
		}
		if i == split {
			time.Sleep(20 * time.Millisecond)
			mark = time.Now()
			time.Sleep(20 * time.Millisecond)
		}
	}
	return mark
}

// drain reads every available message of cons and acks it, returning the
// stream sequences in order.
func drain(t *testing.T, cons jetstream.Consumer, want int) []uint64 {
	t.Helper()
	var seqs []uint64
	for len(seqs) < want {
		m, err := cons.Next(jetstream.FetchMaxWait(30 * time.Second))
		if err != nil {
			t.Fatalf("after %v: %v", seqs, err)
		}
		md, _ := m.Metadata()
		seqs = append(seqs, md.Sequence.Stream)
		if err := m.Ack(); err != nil {
			t.Fatal(err)
		}
	}
	return seqs
}

func wantSeqs(t *testing.T, got []uint64, from, to uint64) {
	t.Helper()
	if len(got) != int(to-from+1) {
		t.Fatalf("sequences %v, want %d..%d", got, from, to)
	}
	for i, s := range got {
		if s != from+uint64(i) {
			t.Fatalf("sequences %v, want %d..%d", got, from, to)
		}
	}
}

func TestReplayConsumerFromSequenceAndTime(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	mark := publishN(t, js, 10, 6)

	seq, err := bus.SequenceAt(ctx, js, proto.StreamContent, "", bus.StartAt{Time: mark})
	if err != nil {
		t.Fatal(err)
	}
	if seq != 7 {
		t.Fatalf("first sequence after the mark = %d, want 7", seq)
	}

	bySeq, err := bus.ReplayConsumer(ctx, js, proto.StreamContent, bus.ReplayOptions{Name: "replay_seq", At: bus.StartAt{Sequence: 4}})
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, drain(t, bySeq, 7), 4, 10)

	byTime, err := bus.ReplayConsumer(ctx, js, proto.StreamContent, bus.ReplayOptions{
		Name: "replay_time", Filter: "conflux." + proto.For(site).Site() + ".content.s.*", At: bus.StartAt{Time: mark},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, drain(t, byTime, 4), 7, 10)
}

// Rewind re-drives a stage's own durable: messages already acked come
// again from the chosen point.
func TestRewindDurable(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	mark := publishN(t, js, 10, 3)
	durable := proto.Durable(proto.StagePermissions, "content", site)
	cons, err := js.Consumer(ctx, proto.StreamContent, durable)
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, drain(t, cons, 10), 1, 10)

	from, err := bus.Rewind(ctx, js, proto.StreamContent, durable, bus.StartAt{Sequence: 8})
	if err != nil {
		t.Fatal(err)
	}
	if from != 8 {
		t.Fatalf("rewound to %d, want 8", from)
	}
	wantSeqs(t, drain(t, cons, 3), 8, 10)

	from, err = bus.Rewind(ctx, js, proto.StreamContent, durable, bus.StartAt{Time: mark})
	if err != nil {
		t.Fatal(err)
	}
	if from != 4 {
		t.Fatalf("rewound to %d, want 4", from)
	}
	wantSeqs(t, drain(t, cons, 7), 4, 10)
}
