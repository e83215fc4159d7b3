package natstest_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/natstest"
)

func TestStartAndRestart(t *testing.T) {
	dir := t.TempDir()
	s := natstest.StartDir(t, dir)
	_, js := natstest.Connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "t.1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	natstest.Shutdown(s)

	s2 := natstest.StartDir(t, dir)
	_, js2 := natstest.Connect(t, s2)
	st, err := js2.Stream(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	if n := st.CachedInfo().State.Msgs; n != 1 {
		t.Fatalf("messages after restart = %d, want 1", n)
	}
}

func TestInProcess(t *testing.T) {
	s := natstest.Start(t, natstest.WithInProcess())
	if s.Addr() != nil {
		t.Fatalf("listener at %v, want none", s.Addr())
	}
	_, js := natstest.Connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		t.Fatal(err)
	}
}
