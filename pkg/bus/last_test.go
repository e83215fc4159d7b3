package bus_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

func TestEachLast(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	subj := proto.For(site)
	before := consumers(t, js, proto.StreamDocuments)
	collect := func(filter string, headersOnly bool, stopAfter int) ([]string, error) {
		var got []string
		err := bus.EachLast(ctx, js, proto.StreamDocuments, filter, headersOnly, func(m jetstream.Msg) error {
			got = append(got, string(m.Data()))
			if len(got) == stopAfter {
				return context.Canceled
			}
			return nil
		})
		return got, err
	}

	got, err := collect(subj.Documents(""), false, 0)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty stream: %q, %v", got, err)
	}

	for _, p := range []struct{ space, id, data string }{
		{"s1", "1", "a"}, {"s1", "2", "b"}, {"s1", "1", "c"}, {"s2", "3", "d"}, {"s1", "2", "e"},
	} {
		if _, err := js.Publish(ctx, subj.Document(p.space, p.id), []byte(p.data)); err != nil {
			t.Fatal(err)
		}
	}
	got, err = collect(subj.Documents("s1"), false, 0)
	if err != nil || !slices.Equal(got, []string{"c", "e"}) {
		t.Fatalf("space s1: %q, %v; want last per subject [c e]", got, err)
	}
	got, err = collect(subj.Documents(""), false, 0)
	if err != nil || !slices.Equal(got, []string{"c", "d", "e"}) {
		t.Fatalf("all spaces: %q, %v; want [c d e]", got, err)
	}
	got, err = collect(subj.Documents(""), true, 0)
	if err != nil || !slices.Equal(got, []string{"", "", ""}) {
		t.Fatalf("headers only: %q, %v; want three empty bodies", got, err)
	}
	got, err = collect(subj.Documents(""), false, 1)
	if !errors.Is(err, context.Canceled) || !slices.Equal(got, []string{"c"}) {
		t.Fatalf("stop early: %q, %v; want [c] and fn's error", got, err)
	}
	if n := consumers(t, js, proto.StreamDocuments); n != before {
		t.Fatalf("%d consumers on %s after the reads, want %d: the ordered consumers deleted", n, proto.StreamDocuments, before)
	}
}

// consumers counts the consumers of stream.
func consumers(t *testing.T, js jetstream.JetStream, stream string) int {
	t.Helper()
	ctx := testCtx(t)
	st, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	lister := st.ListConsumers(ctx)
	n := 0
	for range lister.Info() {
		n++
	}
	if err := lister.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
