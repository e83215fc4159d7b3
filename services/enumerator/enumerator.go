// Package enumerator is the first stage of a crawl: it takes a crawl
// request, lists the site's spaces, applies the configured include and
// exclude lists, records which spaces the crawl has (so that completion
// can be counted) and publishes one message per space.
//
// It also runs the crawl coordinator, which announces a crawl as finished
// once every space of it is complete (see Coordinator).
package enumerator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// Deps are what the stage needs.
type Deps = worker.Deps

// Service is the space enumerator.
type Service struct {
	progress.Lister
	d           Deps
	runner      *stage.Runner
	coordinator *Coordinator
}

// Stage is the enumerator as conflux runs it.
var Stage = worker.Stage{Name: proto.StageEnumerator, New: worker.Of(New)}

// New builds the stage; the topology must exist (bus.EnsureTopology).
func New(ctx context.Context, d Deps) (*Service, error) {
	lister, err := progress.OpenLister(ctx, d.JS, d.Config.Site)
	if err != nil {
		return nil, err
	}
	s := &Service{Lister: lister, d: d}
	if s.runner, err = d.Runner(proto.StageEnumerator, "crawl", stage.Typed(s.handle)); err != nil {
		return nil, err
	}
	s.d.Logger = d.Log().With("stage", proto.StageEnumerator)
	s.coordinator = NewCoordinator(s.Tracker, s.Pub, d.Config.Site, s.d.Logger)
	return s, nil
}

// Run consumes crawl requests and coordinates crawls until ctx is done;
// a consumer that fails stops the coordinator.
func (s *Service) Run(ctx context.Context) error {
	p := pool.New().WithErrors().WithContext(ctx).WithCancelOnError()
	p.Go(s.coordinator.Run)
	p.Go(s.runner.Run)
	return p.Wait()
}

func (s *Service) handle(ctx context.Context, m *stage.Msg, req *proto.CrawlRequested) error {
	log := m.Log.With("kind", req.Kind)
	meta := proto.CrawlMeta{CrawlID: req.CrawlID, Kind: req.Kind, Site: s.d.Config.Site,
		Started: req.RequestedAt, Force: req.Force, Spaces: map[string]string{}}
	if err := s.permissionEpoch(ctx, &meta); err != nil {
		return err
	}
	spaces, total, err := s.listSpaces(ctx)
	if err != nil {
		if retryLater(err, m.Deliveries) {
			return fmt.Errorf("list spaces for crawl %s: %w", req.CrawlID, err)
		}
		meta.EnumerationDone, meta.EnumerationError = true, err.Error()
		meta.CredentialsRefused = errors.Is(err, confluence.ErrUnauthorized)
		log.Error("space listing failed; the crawl ends without spaces", "err", err)
		return s.Tracker.PutMeta(ctx, meta)
	}
	for _, sp := range spaces {
		meta.Spaces[sp.ID] = sp.Key
	}
	var gone map[string]string
	if req.Kind == proto.CrawlFull {
		if gone, err = s.vanishedSpaces(ctx, meta.Spaces); err != nil {
			return fmt.Errorf("crawl %s: %w", req.CrawlID, err)
		}
		for id, key := range gone {
			meta.Spaces[id] = key
		}
	}
	meta.EnumerationDone = true
	if err := s.Tracker.PutMeta(ctx, meta); err != nil {
		return err
	}
	for id, key := range gone {
		// Nothing of the space is listed: every document of it is swept.
		if err := s.Tracker.Listing(ctx, req.CrawlID, id, proto.Listing{SpaceKey: key}); err != nil {
			return err
		}
		log.Warn("space no longer crawled; its documents will be deleted", "space_id", id, "space_key", key)
	}
	since := map[string]time.Time{} // each space's checkpoint, for an incremental crawl
	if req.Kind == proto.CrawlIncremental {
		for _, sp := range spaces {
			since[sp.ID] = s.Checkpoints.Get(ctx, sp.ID)
		}
	}
	bulk, err := s.readSitewide(ctx, req, spaces, total, oldest(since), m.Deliveries, log)
	if err != nil {
		return err
	}
	for _, sp := range spaces {
		msg := &proto.SpaceFound{CrawlID: req.CrawlID, Kind: req.Kind, SpaceID: sp.ID, SpaceKey: sp.Key,
			Name: sp.Name, Type: sp.Type, Status: sp.Status, HomepageID: sp.HomepageID, Sitewide: bulk,
			Since: since[sp.ID]}
		if err := s.Pub.Publish(ctx, s.Sub.Space(sp.ID), msg, proto.MsgID("space", sp.ID, 0, req.CrawlID)); err != nil {
			return fmt.Errorf("publish space %s: %w", sp.Key, err)
		}
	}
	log.Info("crawl enumerated", "spaces", len(spaces))
	return nil
}

// permissionEpoch links an incremental crawl to the permissions of the
// last full or permission-only crawl, and makes a full or permission-only
// crawl the one later incremental crawls use.
func (s *Service) permissionEpoch(ctx context.Context, meta *proto.CrawlMeta) error {
	if meta.Kind == proto.CrawlIncremental {
		meta.PermissionsFrom = s.Checkpoints.Epoch(ctx)
		return nil
	}
	return s.Checkpoints.PutEpoch(ctx, meta.CrawlID)
}

// readSitewide reads the site-wide comment and attachment lists for a
// full or incremental crawl that covers most of the site (useSitewide),
// and reports whether it did. A read that keeps failing is given up: the
// spaces then list comments and attachments per container.
//
// since is the oldest checkpoint of an incremental crawl's spaces (zero:
// read everything); the lists are read newest first down to it, less
// progress.Overlap.
func (s *Service) readSitewide(ctx context.Context, req *proto.CrawlRequested, spaces []confluence.Space, total int, since time.Time, deliveries uint64, log *slog.Logger) (bool, error) {
	if req.Kind == proto.CrawlPermissions || !useSitewide(len(spaces), total) {
		return false, nil
	}
	if !since.IsZero() {
		since = since.Add(-progress.Overlap)
	}
	err := s.newSitewide(req.CrawlID, spaces, since, log).run(ctx)
	switch {
	case err == nil:
		return true, nil
	case ctx.Err() != nil:
		return false, ctx.Err()
	case retryLater(err, deliveries):
		return false, fmt.Errorf("crawl %s: site-wide lists: %w", req.CrawlID, err)
	}
	log.Warn("site-wide lists failed; comments and attachments are listed per container", "err", err)
	return false, nil
}

// retryLater says whether a failed read of a crawl request is worth the
// request's next delivery: not for refused credentials or a permanent
// error, and not after the third.
func retryLater(err error, deliveries uint64) bool {
	return !errors.Is(err, confluence.ErrPermanent) && !errors.Is(err, confluence.ErrUnauthorized) && deliveries < 3
}

// oldest is the earliest of the checkpoints, zero when there are none or
// one space has none (it is listed in full, so everything is read).
func oldest(since map[string]time.Time) time.Time {
	var first time.Time
	for _, t := range since {
		if t.IsZero() {
			return time.Time{}
		}
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	return first
}

// listSpaces lists the spaces the crawl covers, in id order, and how many
// the site has (of the statuses crawled): rules.space_status (or current,
// and archived with content.include_archived), then the include and
// exclude lists and rules.space_types, applied to the one list.
func (s *Service) listSpaces(ctx context.Context) ([]confluence.Space, int, error) {
	cfg := s.d.Config
	var out []confluence.Space
	total := 0
	for _, st := range cfg.SpaceStatusesCrawled() {
		for sp, err := range s.d.Client.Spaces(ctx, confluence.SpaceQuery{Status: st}) {
			if err != nil {
				return nil, 0, err
			}
			total++
			if Included(sp.Key, cfg.Spaces.Include, cfg.Spaces.Exclude) && cfg.Rules.SpaceTypeAllowed(sp.Type) {
				out = append(out, sp)
			}
		}
	}
	return out, total, nil
}

// Included applies the include and exclude lists to a space key: an empty
// include list means every space; exclude wins. Keys compare
// case-insensitively except personal keys ("~…"), which compare exactly.
func Included(key string, include, exclude []string) bool {
	match := func(list []string) bool {
		return slices.ContainsFunc(list, func(k string) bool {
			if strings.HasPrefix(k, "~") {
				return k == key
			}
			return strings.EqualFold(k, key)
		})
	}
	if match(exclude) {
		return false
	}
	return len(include) == 0 || match(include)
}
