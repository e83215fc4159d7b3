package bus_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
)

func TestEnsureTopologyIdempotent(t *testing.T) {
	js := setup(t) // first run
	ctx := testCtx(t)
	o := proto.Options{MaxDeliver: 9}
	for range 2 {
		if err := bus.EnsureTopology(ctx, js, site, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, cfg := range proto.Streams(o) {
		if _, err := js.Stream(ctx, cfg.Name); err != nil {
			t.Errorf("stream %s: %v", cfg.Name, err)
		}
	}
	for _, c := range proto.Consumers(site, o) {
		cons, err := js.Consumer(ctx, c.Stream, c.Config.Durable)
		if err != nil {
			t.Errorf("consumer %s: %v", c.Config.Durable, err)
			continue
		}
		if got := cons.CachedInfo().Config.MaxDeliver; got != 9 {
			t.Errorf("consumer %s MaxDeliver = %d after update, want 9", c.Config.Durable, got)
		}
	}
	for _, cfg := range proto.Buckets(o) {
		if _, err := js.KeyValue(ctx, cfg.Bucket); err != nil {
			t.Errorf("bucket %s: %v", cfg.Bucket, err)
		}
	}
	for _, cfg := range proto.ObjectStores(o) {
		if _, err := js.ObjectStore(ctx, cfg.Bucket); err != nil {
			t.Errorf("object store %s: %v", cfg.Bucket, err)
		}
	}
	if err := bus.EnsureTopology(ctx, js, "", o); err == nil {
		t.Error("EnsureTopology without a site succeeded")
	}
}

// Streams, consumers (with their delivery state) and buckets are on disk
// and come back after a restart.
func TestTopologySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := testCtx(t)
	s := natstest.StartDir(t, dir)
	nc, js := natstest.Connect(t, s)
	if err := bus.EnsureTopology(ctx, js, site, proto.Options{}); err != nil {
		t.Fatal(err)
	}
	_, _, cons := publishContent(t, js, "1", "2", "3")
	durable := proto.Durable(proto.StagePermissions, "content", site)
	m, err := cons.Next(jetstream.FetchMaxWait(30 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DoubleAck(ctx); err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, proto.BucketCheckpoints)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "space.s", []byte("2026-01-01")); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	natstest.Shutdown(s)

	s2 := natstest.StartDir(t, dir)
	_, js2 := natstest.Connect(t, s2)
	if n := streamMsgs(t, js2, proto.StreamContent); n != 3 {
		t.Fatalf("content stream holds %d messages after restart, want 3", n)
	}
	cons2, err := js2.Consumer(ctx, proto.StreamContent, durable)
	if err != nil {
		t.Fatalf("consumer lost in restart: %v", err)
	}
	if got := cons2.CachedInfo().NumPending; got != 2 {
		t.Fatalf("consumer has %d pending after restart, want 2 (one was acked)", got)
	}
	kv2, err := js2.KeyValue(ctx, proto.BucketCheckpoints)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := kv2.Get(ctx, "space.s"); err != nil || string(e.Value()) != "2026-01-01" {
		t.Fatalf("checkpoint after restart: %v", err)
	}
	// The topology can be ensured again over the restored state.
	if err := bus.EnsureTopology(ctx, js2, site, proto.Options{}); err != nil {
		t.Fatal(err)
	}
}
