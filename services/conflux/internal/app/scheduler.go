package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/proto"
)

// Scheduler requests crawls on the configured intervals while `conflux
// run` keeps running: a full crawl at start and every crawl.full_every, an
// incremental one every crawl.incremental_every, a permission-only one
// every crawl.permissions_every. A crawl is not requested while the
// previous one is still running; it waits for the next tick. With
// audit.sample set, an audit follows every crawl whose listings were
// complete, until Confluence refuses it (no 'Confluence Administrator').
type Scheduler struct {
	App   *App
	Every config.Crawl
	Out   io.Writer
	// Remember keeps when each kind of crawl was last requested in NATS
	// (the progress bucket) and schedules from there, so that a scheduler
	// that takes over from another (fleet mode) neither repeats nor skips
	// a crawl; without it a full crawl starts at once.
	Remember bool
}

// Run schedules until ctx is done or the stages stop (stopped is closed;
// it may be nil).
func (s Scheduler) Run(ctx context.Context, stopped <-chan struct{}) error {
	type job struct {
		kind  proto.CrawlKind
		every time.Duration
		next  time.Time
	}
	now := time.Now()
	jobs := []*job{
		{proto.CrawlFull, time.Duration(s.Every.FullEvery), now},
		{proto.CrawlIncremental, time.Duration(s.Every.IncrementalEvery), now.Add(time.Duration(s.Every.IncrementalEvery))},
		{proto.CrawlPermissions, time.Duration(s.Every.PermissionsEvery), now.Add(time.Duration(s.Every.PermissionsEvery))},
	}
	var book *schedule
	if s.Remember {
		var err error
		if book, err = openSchedule(ctx, s.App); err != nil {
			return err
		}
		for _, j := range jobs {
			if last, ok := book.last(ctx, j.kind); ok {
				j.next = last.Add(j.every)
			}
		}
	}
	var running string
	auditing := true // until Confluence refuses the audit
	results := make(chan proto.CrawlFinished, 1)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stopped:
			return nil
		case res := <-results:
			PrintSummary(s.Out, res)
			if auditing {
				auditing = s.App.AuditAfterCrawl(ctx, s.Out, res)
			}
			running = ""
		case now := <-tick.C:
			if running != "" {
				continue
			}
			for _, j := range jobs {
				if j.every <= 0 || now.Before(j.next) {
					continue
				}
				j.next = now.Add(j.every)
				id, err := s.App.Request(ctx, j.kind, false)
				if err != nil {
					s.App.Log.Error("scheduled crawl not requested", "kind", j.kind, "err", err)
					break
				}
				running = id
				book.requested(ctx, j.kind, now)
				s.App.Log.Info("scheduled crawl requested", "crawl_id", id, "kind", j.kind)
				go func() {
					res, err := s.App.Wait(ctx, id, nil, nil)
					if err != nil {
						res = proto.CrawlFinished{CrawlID: id, Kind: j.kind, Failures: []string{fmt.Sprint(err)}}
					}
					select {
					case results <- res:
					case <-ctx.Done():
					}
				}()
				break
			}
		}
	}
}
