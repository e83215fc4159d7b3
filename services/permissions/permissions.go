// Package permissions is the permission resolver stage: for every content
// item and stored attachment of a crawl it computes the exact set of
// accounts allowed to read it (package acl: the space's view grants ∩ the
// read restrictions of the item and of every ancestor), writes it as a
// compact ACL, finishes the document and publishes it on the documents
// stream for the sinks.
//
// Every input of the rule is looked up once per crawl however many items
// need it: process memory first, then the shared cache bucket
// (proto.BucketCache, keyed by crawl and content, space or group id), and
// only then Confluence, with one fetch in flight per key in a process and
// a Create-based claim across replicas. A permission-only crawl reloads
// each document from the documents stream, replaces its ACL and publishes
// it again (ACLOnly) only when the ACL changed.
package permissions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// Deps are what the stage needs.
type Deps = worker.Deps

// Option tunes the stage; the defaults suit production.
type Option func(*options)

type options struct {
	claimWait, claimStale time.Duration
	coverageEvery         time.Duration
	coverageIdle          time.Duration
	keepCrawls            int
	recentLimit           int
	api                   confluenceAPI
	concurrency           int
}

// WithClaimWait sets how long a replica waits for another replica's fetch
// of the same key before fetching it itself (default DefaultClaimWait) and
// the age of an abandoned claim (default DefaultClaimStale).
func WithClaimWait(wait, stale time.Duration) Option {
	return func(o *options) { o.claimWait, o.claimStale = wait, stale }
}

// WithCoverageEvery sets how often finished spaces are looked for to log
// their email coverage (default 10s), and how long a space must have been
// quiet before its coverage is logged although this process did not see
// all its items (default 1m; other replicas saw the rest).
func WithCoverageEvery(every, idle time.Duration) Option {
	return func(o *options) { o.coverageEvery, o.coverageIdle = every, idle }
}

// WithConcurrency sets how many items a replica resolves at once per
// consumer (default: the stage table's, proto.Stages).
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency = n }
}

// Service is the permission resolver.
type Service struct {
	d       Deps
	o       options
	log     *slog.Logger
	site    string // site URL without trailing slash
	host    string
	sub     proto.Subjects
	pub     *bus.Publisher
	tracker *progress.Tracker
	docs    bus.LastMsgGetter
	res     *resolver
	cov     *coverage
	runners []*stage.Runner
	n       counters
}

// Stage is the permission resolver as conflux runs it.
var Stage = worker.Stage{Name: proto.StagePermissions, New: func(ctx context.Context, d Deps) (worker.Service, error) {
	return New(ctx, d)
}}

// New binds the buckets and the documents stream (bus.EnsureTopology must
// have created them) and builds the two consumers: content items and
// extracted attachments (the extractor's AttachmentStored, text included).
func New(ctx context.Context, d Deps, opts ...Option) (*Service, error) {
	o := options{claimWait: DefaultClaimWait, claimStale: DefaultClaimStale,
		coverageEvery: 10 * time.Second, coverageIdle: time.Minute, keepCrawls: 4, recentLimit: 100_000}
	for _, opt := range opts {
		opt(&o)
	}
	if d.JS == nil {
		return nil, errors.New("permissions: Deps.JS is required")
	}
	if o.api == nil {
		if d.Client == nil {
			return nil, errors.New("permissions: Deps.Client is required")
		}
		o.api = d.Client
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s := &Service{d: d, o: o, log: d.Log().With("stage", proto.StagePermissions),
		site: strings.TrimRight(d.Config.Site, "/"), host: d.Config.SiteHost(), sub: proto.For(d.Config.Site),
		pub: bus.NewPublisher(d.JS), cov: newCoverage(1000, d.Metrics)}
	if err := s.bind(ctx); err != nil {
		return nil, err
	}
	return s, s.buildRunners()
}

func (s *Service) bind(ctx context.Context) error {
	var err error
	if s.tracker, err = progress.Open(ctx, s.d.JS); err != nil {
		return err
	}
	cache, err := s.d.JS.KeyValue(ctx, proto.BucketCache)
	if err != nil {
		return fmt.Errorf("open cache bucket %s: %w", proto.BucketCache, err)
	}
	users, err := s.d.JS.KeyValue(ctx, proto.BucketUsers)
	if err != nil {
		return fmt.Errorf("open users bucket %s: %w", proto.BucketUsers, err)
	}
	docs, err := s.d.JS.Stream(ctx, proto.StreamDocuments)
	if err != nil {
		return fmt.Errorf("open documents stream %s: %w", proto.StreamDocuments, err)
	}
	s.docs = docs
	s.res = &resolver{
		api:    s.o.api,
		store:  &store{kv: cache, owner: owner(), wait: s.o.claimWait, stale: s.o.claimStale},
		emails: users,
		crawls: &crawlStates{keep: s.o.keepCrawls, limit: s.o.recentLimit},
		metas:  s.tracker,
	}
	return nil
}

func (s *Service) buildRunners() error {
	for _, in := range []struct {
		name string
		h    stage.Handler
	}{
		{"content", stage.Typed(s.handleContent)},
		{"extracted", stage.Typed(s.handleStored)},
	} {
		r, err := s.d.Runner(proto.StagePermissions, in.name, in.h, stage.WithOnDeadLetter(s.deadLetter),
			stage.WithConcurrency(s.o.concurrency))
		if err != nil {
			return fmt.Errorf("permissions: %s consumer: %w", in.name, err)
		}
		s.runners = append(s.runners, r)
	}
	return nil
}

// Run consumes content items and stored attachments until ctx is done,
// then finishes the items in flight and returns.
// A consumer that fails stops the other.
func (s *Service) Run(ctx context.Context) error {
	p := pool.New().WithErrors().WithContext(ctx).WithCancelOnError()
	for _, r := range s.runners {
		p.Go(r.Run)
	}
	p.Go(func(ctx context.Context) error {
		s.watchCoverage(ctx)
		return nil
	})
	err := p.Wait()
	st := s.Stats()
	s.log.Info("permissions stopped", "items", st.Items, "published", st.Published, "acl_updates", st.ACLUpdates,
		"unchanged", st.Unchanged, "dropped", st.Dropped, "failed", st.Failed,
		"restriction_calls", st.RestrictionCalls, "space_calls", st.SpaceCalls, "group_calls", st.GroupCalls)
	return err
}

// deadLetter records a failed outcome for an item the runner gave up on.
func (s *Service) deadLetter(ctx context.Context, dl *proto.DeadLetter, _ proto.Message) {
	if dl.ItemID == "" {
		return // undecodable: no item to count
	}
	s.n.failed.Add(1)
	if err := s.tracker.DeadLettered(ctx, dl); err != nil {
		s.log.Error("record failed item", "crawl_id", dl.CrawlID, "space_id", dl.SpaceID, "content_id", dl.ItemID, "err", err)
	}
}

func owner() string {
	h, _ := os.Hostname()
	return h + "/" + strconv.Itoa(os.Getpid())
}
