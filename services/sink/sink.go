// Package sink is the last stage: it writes every finished document of the
// documents stream into each configured sink (the file sink, pkg/filesink;
// PostgreSQL, package pgsink; OpenSearch or Elasticsearch, packages ossink
// and essink), each on its own consumer (lane.go), through the port of
// package sinkport,
// and removes what the tombstones delete, acking each message only after
// the durable write and recording its outcome for crawl completion.
//
//   - DocumentReady: the body (storage format, or ADF) becomes plain text
//     (pkg/storagetext; a conversion error keeps the document with empty
//     text and says so in the outcome's reason): mentions become the names
//     the resolver sent along, include and excerpt-include macros the
//     included page's text when every reader of the document may read
//     that page (see render.go; what is left out is noted in the reason);
//     then a page's or blog post's includers are rendered again
//     (rerender.go); the attachment's bytes are
//     copied from the object store, the groups the ACL names are written to
//     identities, and the document is upserted by id and version; then the
//     outcome "written" is recorded.
//   - DocumentDeleted: the document and its files are removed; then the
//     deletion is recorded.
//
// The sweeper (see sweep.go) turns what a full crawl no longer saw into
// tombstones, and Rebuild refills a sink from the documents stream alone.
package sink

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Deps are what the stage needs. Client is not used (the sink never calls
// Confluence). Sink is optional: nil opens each sink the configuration
// names (sink:, or every entry of sinks:), which the service then closes
// when Run returns; a Sink given here is the one sink, named "default",
// and is not closed.
type Deps struct {
	worker.Deps
	Sink Sink
}

// Sink is where documents go: the port every back-end implements (the
// file sink through Files, PostgreSQL through pgsink, OpenSearch and
// Elasticsearch through searchsink).
type Sink = sinkport.Sink

// setupTimeout bounds binding the buckets and stores.
const setupTimeout = 30 * time.Second

// Service is the sink stage with its sweeper: one lane per configured
// sink, each on its own durable consumer, so that a slow or failing sink
// never holds back another.
type Service struct {
	log     *slog.Logger
	js      jetstream.JetStream
	cfg     config.Config
	metrics *metrics.Metrics
	blobs   *bus.Objects     // attachment bytes, read chunk by chunk
	docs    jetstream.Stream // the documents stream: included pages, includers to render again
	sub     proto.Subjects
	// includes is the include index; nil leaves include macros out.
	includes *includeIndex
	tracker  *progress.Tracker
	pub      *bus.Publisher
	lanes    []*lane
	// concurrency is how many documents a lane handles at once (the stage
	// table's figure): enough to fill the batches being written and the
	// next ones (batch.go).
	concurrency int
	// SweepEvery is how often the sweeper looks for complete spaces of
	// full crawls (at least four times the length of the last pass).
	// Default 500ms. Set it before Run.
	SweepEvery time.Duration
}

// New builds the stage; the topology must exist (bus.EnsureTopology). It
// creates the durable consumer of every named sink other than "default"
// (whose consumer is the topology's).
func New(d Deps) (*Service, error) {
	s, err := newService(d)
	if err != nil {
		return nil, err
	}
	for _, l := range s.lanes {
		if err := s.bindLane(l); err != nil {
			s.close()
			return nil, fmt.Errorf("sink: %w", err)
		}
	}
	return s, nil
}

// newService binds what both the stage and Rebuild need; the lanes'
// sinks open when they run.
func newService(d Deps) (*Service, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Service{log: d.Logger.With("stage", proto.StageSink), js: d.JS, cfg: d.Config, metrics: d.Metrics,
		pub: bus.NewPublisher(d.JS), SweepEvery: 500 * time.Millisecond,
		concurrency: d.Concurrency(proto.StageSink)}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	var err error
	s.blobs = bus.NewObjects(d.JS)
	if err = s.blobs.Bind(ctx, proto.ObjectBlobs); err != nil {
		return nil, fmt.Errorf("sink: %w", err)
	}
	if s.docs, err = d.JS.Stream(ctx, proto.StreamDocuments); err != nil {
		return nil, fmt.Errorf("sink: open stream %s: %w", proto.StreamDocuments, err)
	}
	s.sub = proto.For(d.Config.Site)
	kv, err := d.JS.KeyValue(ctx, proto.BucketIncludes)
	if err != nil {
		return nil, fmt.Errorf("sink: open bucket %s: %w", proto.BucketIncludes, err)
	}
	s.includes = &includeIndex{kv: kv, site: d.Config.Site}
	if s.tracker, err = progress.Open(ctx, d.JS); err != nil {
		return nil, fmt.Errorf("sink: %w", err)
	}
	if d.Sink != nil {
		s.lanes = []*lane{{s: s, name: config.DefaultSinkName, sink: d.Sink, log: s.log,
			attachments: make(chan struct{}, attachmentWrites)}}
		return s, nil
	}
	for _, c := range d.Config.SinkList() {
		s.lanes = append(s.lanes, &lane{s: s, name: c.Name, cfg: c, log: s.log.With("sink", c.Name),
			attachments: make(chan struct{}, attachmentWrites)})
	}
	return s, nil
}

// Run writes documents into every sink and sweeps full crawls until ctx
// is done, then finishes the writes in flight and returns. A lane whose
// sink cannot be opened keeps trying (with a pause) without stopping the
// others; the first lane whose consumer fails stops them all.
func (s *Service) Run(ctx context.Context) error {
	defer s.close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sweeper := pool.New()
	sweeper.Go(func() { s.sweepLoop(ctx) })
	lanes := pool.New().WithErrors().WithFirstError().WithContext(ctx).WithCancelOnError()
	for _, l := range s.lanes {
		lanes.Go(l.run)
	}
	err := lanes.Wait()
	cancel()
	sweeper.Wait()
	return err
}

func (s *Service) close() {
	for _, l := range s.lanes {
		l.close()
	}
}
