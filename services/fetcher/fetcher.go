// Package fetcher is the content fetcher stage: for each space of a crawl
// it pages through the space's pages, blog posts, folders, comments and
// attachments, with bodies in the list calls, and publishes one message per
// item. When it has listed a space to the end it records how many items it
// published, so that the crawl's completion can be counted.
//
// A full crawl lists everything; an incremental crawl asks CQL for what
// changed since the space's checkpoint; a permission-only crawl re-reads
// the documents the site already has from the documents stream and asks
// the permission resolver to recompute their ACLs, without fetching any
// body or file.
package fetcher

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// Deps are what the stage needs.
type Deps = worker.Deps

// Service is the content fetcher.
type Service struct {
	progress.Lister
	d      Deps
	runner *stage.Runner
}

// Overlap is subtracted from a checkpoint before an incremental query
// (progress.Overlap).
const Overlap = progress.Overlap

// Stage is the fetcher as conflux runs it.
var Stage = worker.Stage{Name: proto.StageFetcher, New: worker.Of(New)}

// New builds the stage; the topology must exist (bus.EnsureTopology).
func New(ctx context.Context, d Deps) (*Service, error) {
	lister, err := progress.OpenLister(ctx, d.JS, d.Config.Site)
	if err != nil {
		return nil, err
	}
	s := &Service{Lister: lister, d: d}
	if s.runner, err = d.Runner(proto.StageFetcher, "spaces", stage.Typed(s.handle)); err != nil {
		return nil, err
	}
	return s, nil
}

// Run consumes space messages until ctx is done.
func (s *Service) Run(ctx context.Context) error { return s.runner.Run(ctx) }

func (s *Service) handle(ctx context.Context, m *stage.Msg, sp *proto.SpaceFound) error {
	log := m.Log.With("space_id", sp.SpaceID, "space_key", sp.SpaceKey, "kind", sp.Kind)
	started := time.Now().UTC()
	l := newListing(s, sp)
	var err error
	switch {
	case sp.Kind == proto.CrawlPermissions:
		err = l.fromDocuments(ctx)
	case l.incremental():
		err = l.changedSince(ctx, sp.Since.Add(-Overlap))
	default:
		err = l.everything(ctx)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("list space %s: %w", sp.SpaceKey, ctx.Err()) // shutting down: another replica redoes it
	}
	res := proto.Listing{SpaceKey: sp.SpaceKey, Items: int(l.items.Load()), Attachments: int(l.attachments.Load())}
	if err != nil {
		res.Error = err.Error()
		log.Error("listing incomplete", "err", err, "items", res.Items, "attachments", res.Attachments)
	}
	if err := s.Tracker.Listing(ctx, sp.CrawlID, sp.SpaceID, res); err != nil {
		return err
	}
	if err == nil && sp.Kind != proto.CrawlPermissions {
		s.saveCheckpoint(ctx, sp.SpaceID, started, log)
	}
	log.Info("space listed", "items", res.Items, "attachments", res.Attachments,
		"fallback_calls", l.fallbacks.Load(), "took", time.Since(started).Round(time.Millisecond))
	return nil
}

func (s *Service) saveCheckpoint(ctx context.Context, spaceID string, t time.Time, log *slog.Logger) {
	if err := s.Checkpoints.Put(ctx, spaceID, t); err != nil {
		log.Warn("checkpoint not saved; the next incremental crawl lists more", "err", err)
	}
}
