package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// The scheduler of a fleet: every `conflux worker scheduler` replica tries
// for one lease; its holder schedules, the others wait to take over.
const (
	schedulerLeaseEvery = 5 * time.Second // renewal (the bucket's TTL is 15s)
	schedulerRetryEvery = 5 * time.Second // how often a waiting replica tries
)

// RunScheduler schedules crawls on the configured intervals while this
// replica holds the scheduler lease, until ctx is done. The holder
// remembers in NATS when it requested each kind of crawl, so a replica that
// takes over goes on from there. With metrics.addr set it serves /metrics,
// /healthz and /readyz there, as the stages do.
func (a *App) RunScheduler(ctx context.Context, out io.Writer) error {
	// /metrics (the audit's), /healthz and /readyz (connected to NATS).
	if err := a.serveMetrics(ctx, nil, nil); err != nil {
		return err
	}
	kv, err := a.JS.KeyValue(ctx, proto.BucketLeases)
	if err != nil {
		return fmt.Errorf("scheduler: leases bucket: %w", err)
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), bus.NewToken()[:8])
	key := proto.Durable("scheduler", "lease", a.Config.Site)
	for {
		l, ok, err := bus.AcquireLease(ctx, kv, key, holder, schedulerLeaseEvery, a.Log)
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("scheduler lease", "error", err.Error())
		}
		if ok {
			a.Log.Info("scheduling crawls (holding the scheduler lease)", "holder", holder)
			err := a.scheduleWhileHeld(ctx, l, out)
			l.Release()
			if err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(schedulerRetryEvery):
		}
	}
}

// scheduleWhileHeld runs the scheduler until ctx is done or l is lost.
func (a *App) scheduleWhileHeld(ctx context.Context, l *bus.Lease, out io.Writer) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-l.Lost():
			a.Log.Warn("scheduler lease lost; another replica schedules now")
			cancel()
		case <-sctx.Done():
		}
	}()
	return Scheduler{App: a, Every: a.Config.Crawl, Out: out, Remember: true}.Run(sctx, nil)
}

// schedule remembers when each kind of crawl was last requested.
type schedule struct {
	kv  jetstream.KeyValue
	key func(proto.CrawlKind) string
}

func openSchedule(ctx context.Context, a *App) (*schedule, error) {
	kv, err := a.JS.KeyValue(ctx, proto.BucketProgress)
	if err != nil {
		return nil, fmt.Errorf("scheduler: progress bucket: %w", err)
	}
	site := a.Config.Site
	return &schedule{kv: kv, key: func(k proto.CrawlKind) string { return proto.Durable("schedule", string(k), site) }}, nil
}

// last returns when a kind of crawl was last requested.
func (s *schedule) last(ctx context.Context, k proto.CrawlKind) (time.Time, bool) {
	e, err := s.kv.Get(ctx, s.key(k))
	if err != nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(e.Value()))
	return t, err == nil
}

// requested records a request; a nil schedule records nothing.
func (s *schedule) requested(ctx context.Context, k proto.CrawlKind, at time.Time) {
	if s == nil {
		return
	}
	_, _ = s.kv.Put(ctx, s.key(k), []byte(at.UTC().Format(time.RFC3339Nano)))
}
