package sink

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/conflux-dev/conflux/proto"
)

// The sweeper turns what a full crawl no longer saw into tombstones. Every
// SweepEvery, for each active full crawl of this site and each of its
// spaces whose listing ended without error and whose every listed item has
// an outcome (written, dropped or failed), it lists the document subjects
// of the space from the stream's subject index, reads the last message of
// each one the crawl did not see (scan.go), and plans the deletions: the documents that are ready in the stream, have no outcome
// in this crawl, and were last published before the crawl started (a
// document published meanwhile by another crawl was seen recently and is
// left for the next full crawl). If they are more than sink.max_delete_share
// of the space's ready documents and the crawl is not forced, the sweep is
// refused and nothing is deleted. The plan is recorded with a
// create-if-absent write, so that of several sink replicas exactly one
// publishes the tombstones ("del:<id>:<crawl>" message ids); the sink's
// consumer then applies them and records each deletion, which is what the
// crawl's completion waits for. A sweep whose tombstones did not all make
// it (a replica died half way) is resumed by any replica.
//
// A space whose listing has an error is never swept.

// defaultMaxDeleteShare applies when sink.max_delete_share is not set.
const defaultMaxDeleteShare = 0.5

// sweepLoop sweeps every SweepEvery; a pass reads the outcomes of the
// active crawls, so the pause after one is at least four times its length.
func (s *Service) sweepLoop(ctx context.Context) {
	wait := s.SweepEvery
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		started := time.Now()
		if err := s.sweepOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("sweep", "err", err)
		}
		wait = max(s.SweepEvery, 4*time.Since(started))
	}
}

// sweepOnce looks at every active full crawl of the site once.
func (s *Service) sweepOnce(ctx context.Context) error {
	crawls, err := s.tracker.Active(ctx)
	if err != nil {
		return err
	}
	site := proto.SiteToken(s.cfg.Site)
	for _, id := range crawls {
		meta, err := s.tracker.Meta(ctx, id)
		if err != nil {
			return err
		}
		if meta.Kind != proto.CrawlFull || proto.SiteToken(meta.Site) != site {
			continue
		}
		spaces := make([]string, 0, len(meta.Spaces))
		for sp := range meta.Spaces {
			spaces = append(spaces, sp)
		}
		sort.Strings(spaces)
		for _, sp := range spaces {
			if err := s.sweepSpace(ctx, meta, sp); err != nil {
				return fmt.Errorf("sweep space %s of crawl %s: %w", sp, meta.CrawlID, err)
			}
		}
	}
	return nil
}

// sweepSpace sweeps one space once it is complete, or resumes its sweep.
func (s *Service) sweepSpace(ctx context.Context, meta proto.CrawlMeta, spaceID string) error {
	listing, ok, err := s.tracker.Listed(ctx, meta.CrawlID, spaceID)
	if err != nil || !ok || listing.Error != "" {
		return err
	}
	sw, swept, err := s.tracker.GetSweep(ctx, meta.CrawlID, spaceID)
	if err != nil {
		return err
	}
	if swept {
		return s.resumeSweep(ctx, meta, spaceID, sw)
	}
	seen, err := s.tracker.SeenItems(ctx, meta.CrawlID, spaceID)
	if err != nil {
		return err
	}
	if !complete(listing, seen) {
		return nil
	}
	docs, err := s.sweepCandidates(ctx, spaceID, seen)
	if err != nil {
		return err
	}
	plan := planSweep(meta, docs, seen, s.maxDeleteShare())
	created, err := s.tracker.Sweep(ctx, meta.CrawlID, spaceID, plan)
	if err != nil || !created {
		return err // another replica swept it
	}
	log := s.log.With("crawl_id", meta.CrawlID, "space_id", spaceID)
	if plan.Refused != "" {
		log.Warn("sweep refused", "reason", plan.Refused)
		return nil
	}
	log.Info("space swept", "deleted", len(plan.Deleted))
	return s.publishTombstones(ctx, meta.CrawlID, spaceID, docs, plan.Deleted)
}

// complete reports whether every listed item of a space has an outcome.
func complete(l proto.Listing, seen map[string]proto.Outcome) bool {
	n := 0
	for _, o := range seen {
		switch o.State {
		case proto.OutcomeWritten, proto.OutcomeDropped, proto.OutcomeFailed:
			n++
		}
	}
	return n >= l.Listed()
}

// planSweep decides what a complete space loses (see the top of the file).
func planSweep(meta proto.CrawlMeta, docs []docEntry, seen map[string]proto.Outcome, share float64) proto.Sweep {
	existing := 0
	deleted := []string{}
	for _, d := range docs {
		if !d.Ready {
			continue
		}
		existing++
		if _, ok := seen[d.ID]; ok {
			continue
		}
		if !meta.Started.IsZero() && !d.At.Before(meta.Started) {
			continue // published during this crawl by another one: seen recently
		}
		deleted = append(deleted, d.ID)
	}
	sort.Strings(deleted)
	if len(deleted) > 0 && !meta.Force && float64(len(deleted)) > share*float64(existing) {
		return proto.Sweep{Deleted: []string{}, Refused: fmt.Sprintf(
			"would delete %d of %d documents (more than %s%%); rerun with --force",
			len(deleted), existing, strconv.FormatFloat(share*100, 'f', -1, 64))}
	}
	return proto.Sweep{Deleted: deleted}
}

func (s *Service) maxDeleteShare() float64 {
	if v := s.cfg.Sink.MaxDeleteShare; v > 0 {
		return v
	}
	return defaultMaxDeleteShare
}

// publishTombstones publishes a DocumentDeleted on the subject of each
// document to delete.
func (s *Service) publishTombstones(ctx context.Context, crawlID, spaceID string, docs []docEntry, ids []string) error {
	del := make(map[string]bool, len(ids))
	for _, id := range ids {
		del[id] = true
	}
	for _, d := range docs {
		if !del[d.ID] {
			continue
		}
		if err := s.publishTombstone(ctx, crawlID, spaceID, d); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) publishTombstone(ctx context.Context, crawlID, spaceID string, d docEntry) error {
	msg := &proto.DocumentDeleted{CrawlID: crawlID, SpaceID: spaceID, ID: d.ID,
		Reason: "not seen by full crawl " + crawlID}
	if err := s.pub.Publish(ctx, d.Subject, msg, tombstoneID(d.ID, crawlID)); err != nil {
		return fmt.Errorf("publish tombstone of %s: %w", d.ID, err)
	}
	return nil
}

// tombstoneID is the Nats-Msg-Id of a sweep's tombstone.
func tombstoneID(id, crawlID string) string { return "del:" + id + ":" + crawlID }

// resumeSweep finishes a sweep whose tombstones are not all applied: a
// document still ready (and older than the crawl) gets its tombstone again
// (the same message id, so a copy within the duplicate window is dropped);
// one that is gone, already deleted by another tombstone or published again
// during the crawl needs no tombstone and its deletion is recorded as done.
func (s *Service) resumeSweep(ctx context.Context, meta proto.CrawlMeta, spaceID string, sw proto.Sweep) error {
	if sw.Refused != "" || len(sw.Deleted) == 0 {
		return nil
	}
	applied, err := s.tracker.Deleted(ctx, meta.CrawlID, spaceID)
	if err != nil || len(applied) >= len(sw.Deleted) {
		return err
	}
	for _, id := range sw.Deleted {
		if _, ok := applied[proto.Token(id)]; ok {
			continue
		}
		d, ok, err := s.lastEntry(ctx, s.sub.Document(spaceID, id))
		if err != nil {
			return err
		}
		switch {
		case ok && d.Deleted && d.MsgID == tombstoneID(id, meta.CrawlID):
			continue // ours, on its way to the sink
		case ok && d.Ready && (meta.Started.IsZero() || d.At.Before(meta.Started)):
			err = s.publishTombstone(ctx, meta.CrawlID, spaceID, d)
		default:
			err = s.tracker.Deletion(ctx, meta.CrawlID, spaceID, id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
