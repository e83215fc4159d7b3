package permissions

import (
	"context"
	"sync/atomic"
	"time"
)

// Stats are the stage's counters since start.
type Stats struct {
	// Items is the number of messages handled (including redeliveries).
	Items int64
	// Published is the number of documents published by full and
	// incremental crawls.
	Published int64
	// ACLUpdates is the number of documents republished by permission-only
	// syncs because their ACL changed; Unchanged those left as they were.
	ACLUpdates, Unchanged int64
	// Dropped and Failed count items recorded as such.
	Dropped, Failed int64
	// Calls to Confluence: space permission listings, read restriction
	// look-ups, group look-ups (with their members), users-bulk
	// look-ups, ancestor look-ups.
	SpaceCalls, RestrictionCalls, GroupCalls, UserCalls, AncestorCalls int64
	// Coverage is the email coverage of the recent spaces.
	Coverage []SpaceCoverage
}

type counters struct {
	items, published, aclUpdates, unchanged, dropped, failed atomic.Int64
}

// Stats returns the counters.
func (s *Service) Stats() Stats {
	c := &s.res.calls
	return Stats{
		Items: s.n.items.Load(), Published: s.n.published.Load(),
		ACLUpdates: s.n.aclUpdates.Load(), Unchanged: s.n.unchanged.Load(),
		Dropped: s.n.dropped.Load(), Failed: s.n.failed.Load(),
		SpaceCalls: c.spaces.Load(), RestrictionCalls: c.restrictions.Load(), GroupCalls: c.groups.Load(),
		UserCalls: c.userBatches.Load(), AncestorCalls: c.ancestors.Load(),
		Coverage: s.cov.snapshot(),
	}
}

// watchCoverage logs each space's email coverage once the space is done:
// when its listing is recorded and this process resolved as many items as
// were listed, or, with other replicas sharing the work, once the space
// has been quiet for coverageIdle after its listing was recorded.
func (s *Service) watchCoverage(ctx context.Context) {
	t := time.NewTicker(s.o.coverageEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.logFinishedSpaces(ctx)
		}
	}
}

func (s *Service) logFinishedSpaces(ctx context.Context) {
	for _, c := range s.cov.snapshot() {
		if c.Logged {
			continue
		}
		l, ok, err := s.tracker.Listed(ctx, c.CrawlID, c.SpaceID)
		if err != nil || !ok {
			continue
		}
		if c.Items < l.Listed() && time.Since(c.LastItem) < s.o.coverageIdle {
			continue
		}
		s.cov.markLogged(c.CrawlID, c.SpaceID)
		without := c.WithoutEmail
		if len(without) > 50 {
			without = without[:50]
		}
		s.log.Info("space email coverage", "crawl_id", c.CrawlID, "space_id", c.SpaceID, "space_key", l.SpaceKey,
			"items", c.Items, "listed", l.Listed(), "public_items", c.Public, "principals", c.Principals,
			"with_email", c.WithEmail, "without_email", len(c.WithoutEmail), "without_email_ids", without)
	}
}
