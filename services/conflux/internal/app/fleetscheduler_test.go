package app_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// TestOneSchedulerInAFleet: two scheduler replicas on one NATS server; only
// the lease holder requests crawls. When it stops, the other takes over
// and goes on from the remembered schedule: the full crawl requested a
// moment ago is not requested again.
func TestOneSchedulerInAFleet(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	cfg := config.Default()
	cfg.Site = "https://acme.atlassian.net"
	cfg.NATS.URL = srv.ClientURL()
	cfg.NATS.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Crawl.FullEvery = config.Duration(time.Hour)
	cfg.Crawl.IncrementalEvery = 0 // off: only the full crawl is scheduled
	cfg.Crawl.PermissionsEvery = 0
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	type replica struct {
		a    *app.App
		stop context.CancelFunc
		done chan error
	}
	start := func() replica {
		a, err := app.Open(ctx, cfg, log)
		if err != nil {
			t.Fatal(err)
		}
		rctx, stop := context.WithCancel(ctx)
		r := replica{a: a, stop: stop, done: make(chan error, 1)}
		go func() { r.done <- a.RunScheduler(rctx, io.Discard) }()
		return r
	}
	first := start() // takes the lease: nobody else is there yet
	var second replica
	defer func() {
		for _, r := range []replica{first, second} {
			r.stop()
			<-r.done
			r.a.Close()
		}
	}()

	requests := func() int {
		js := first.a.JS
		s, err := js.Stream(ctx, proto.StreamCrawl)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx, jetstream.WithSubjectFilter(first.a.Sub.CrawlRequested()))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range info.State.Subjects {
			n += int(c)
		}
		return n
	}
	waitFor(t, 20*time.Second, func() bool { return requests() >= 1 })
	second = start()
	time.Sleep(3 * time.Second) // both replicas had their chance to tick
	if n := requests(); n != 1 {
		t.Fatalf("%d crawls requested by two scheduler replicas, want 1", n)
	}

	// The holder stops; the other takes the lease and remembers the full
	// crawl requested a moment ago.
	holders := 0
	kv, _ := first.a.JS.KeyValue(ctx, proto.BucketLeases)
	key := proto.Durable("scheduler", "lease", cfg.Site)
	e, err := kv.Get(ctx, key)
	if err != nil {
		t.Fatalf("no scheduler lease: %v", err)
	}
	holder := string(e.Value())
	first.stop()
	<-first.done
	first.done <- nil // for the deferred stop
	waitFor(t, 30*time.Second, func() bool {
		e, err := kv.Get(ctx, key)
		if err == nil && string(e.Value()) != holder {
			holders++
		}
		return holders > 0
	})
	time.Sleep(3 * time.Second)
	if n := requests(); n != 1 {
		t.Errorf("after the take-over %d crawls were requested, want still 1 (full_every is 1h)", n)
	}
}
