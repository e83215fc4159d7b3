package bus_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
)

func TestStartEmbeddedRestartInProcess(t *testing.T) {
	dir := t.TempDir()
	ctx := testCtx(t)

	s, err := bus.StartEmbedded(bus.EmbeddedOptions{DataDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { natstest.Shutdown(s) })
	if s.Addr() == nil {
		t.Fatal("port 0 opened no listener")
	}
	nc, err := bus.Connect(ctx, bus.ConnectOptions{URL: s.ClientURL(), Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	js := jetStream(t, nc)
	if err := bus.EnsureTopology(ctx, js, site, proto.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := bus.NewPublisher(js).Publish(ctx, proto.For(site).Content("s", "1"), content("1"), ""); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	natstest.Shutdown(s)

	s2, err := bus.StartEmbedded(bus.EmbeddedOptions{DataDir: dir, Port: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { natstest.Shutdown(s2) })
	if s2.Addr() != nil {
		t.Fatalf("port -1 listens on %v", s2.Addr())
	}
	nc2, err := bus.Connect(ctx, bus.ConnectOptions{InProcess: s2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc2.Close)
	if n := streamMsgs(t, jetStream(t, nc2), proto.StreamContent); n != 1 {
		t.Fatalf("content stream holds %d messages after restart, want 1", n)
	}
}

func TestStartEmbeddedErrors(t *testing.T) {
	if _, err := bus.StartEmbedded(bus.EmbeddedOptions{}, nil); err == nil {
		t.Error("no data dir: started")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := bus.StartEmbedded(bus.EmbeddedOptions{DataDir: file, Port: -1}, nil)
	if err == nil {
		natstest.Shutdown(s)
		t.Fatal("data dir is a file: started")
	}
	t.Log(err)
}
