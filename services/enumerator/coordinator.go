package enumerator

import (
	"context"
	"log/slog"
	"time"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
)

// Coordinator announces crawls as finished. Every poll it computes the
// status of each active crawl from the progress bucket; a complete crawl's
// result is recorded once (the first replica wins) and published on the
// crawl's finished subject, and progress snapshots are published while it
// runs. Several replicas may run it: recording is first-writer-wins and
// publishing is de-duplicated by message id.
type Coordinator struct {
	tracker *progress.Tracker
	pub     *bus.Publisher
	sub     proto.Subjects
	log     *slog.Logger
	// Every is the least pause between polls. Default 250ms.
	Every time.Duration

	last map[string]proto.SpaceProgress // totals last published, by crawl
	done map[string]progress.DoneSpaces // spaces found done, by crawl
}

// NewCoordinator returns a coordinator for a site.
func NewCoordinator(tr *progress.Tracker, pub *bus.Publisher, site string, log *slog.Logger) *Coordinator {
	return &Coordinator{tracker: tr, pub: pub, sub: proto.For(site), log: log, Every: 250 * time.Millisecond,
		last: map[string]proto.SpaceProgress{}, done: map[string]progress.DoneSpaces{}}
}

// Run polls until ctx is done. A poll reads every outcome of every active
// crawl (about 3 µs each), so the pause after a poll is at least four
// times its length: on a crawl of millions of items the checks take no
// more than a fifth of a core.
func (c *Coordinator) Run(ctx context.Context) error {
	for {
		started := time.Now()
		if err := c.Poll(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("crawl coordination", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(max(c.Every, 4*time.Since(started))):
		}
	}
}

// Poll checks every active crawl once.
func (c *Coordinator) Poll(ctx context.Context) error {
	ids, err := c.tracker.Active(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := c.check(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (c *Coordinator) check(ctx context.Context, crawlID string) error {
	if c.done[crawlID] == nil {
		c.done[crawlID] = progress.DoneSpaces{}
	}
	st, err := c.tracker.StatusKeeping(ctx, crawlID, c.done[crawlID])
	if err != nil {
		return err
	}
	// Progress snapshots, when the counts moved, are best effort: a watcher
	// can always compute them from the progress bucket.
	if tot := st.Totals(); tot != c.last[crawlID] {
		c.last[crawlID] = tot
		snap := &proto.CrawlProgress{CrawlID: crawlID, Spaces: st.Spaces, At: time.Now().UTC()}
		_ = c.pub.Publish(ctx, c.sub.CrawlProgress(crawlID), snap, "")
	}
	if !st.Complete {
		return nil
	}
	res, err := c.tracker.Summarize(ctx, st)
	if err != nil {
		return err
	}
	first, err := c.tracker.Finish(ctx, res)
	if err != nil || !first {
		return err
	}
	delete(c.last, crawlID)
	delete(c.done, crawlID)
	c.log.Info("crawl finished", "crawl_id", crawlID, "ok", res.OK, "failures", len(res.Failures))
	return c.pub.Publish(ctx, c.sub.CrawlFinished(crawlID), &res, "finished:"+crawlID)
}
