package sink

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// lane is one configured sink with its own durable consumer.
type lane struct {
	s      *Service
	name   string
	cfg    config.Sink
	log    *slog.Logger
	runner *stage.Runner

	mu     sync.Mutex
	sink   Sink
	closer io.Closer // the sink opened by the lane, if any
	batch  *batcher  // groups the upserts of concurrent handlers into batches of sink
	groups groupMemo // what was last written of each group

	attachments chan struct{} // bounds the attachment writes at once
}

// Consumer returns the durable consumer of the sink named name: the
// topology's sink consumer for "default" (so that a configuration with
// one sink keeps its position in the stream), else
// "sink_docs-<name>_<site>".
func Consumer(site, name string) string { return worker.SinkConsumer(site, name) }

// bindLane creates the lane's consumer (a copy of the topology's sink
// consumer under the lane's name) and its runner.
func (s *Service) bindLane(l *lane) error {
	durable := Consumer(s.cfg.Site, l.name)
	if l.name != config.DefaultSinkName {
		if err := s.ensureConsumer(durable, l.name); err != nil {
			return err
		}
	}
	var err error
	l.runner, err = stage.NewRunner(s.js, stage.Config{
		Stage:   proto.StageSink,
		Site:    s.cfg.Site,
		Stream:  proto.StreamDocuments,
		Durable: durable,
		// Many handlers at once, so that their documents fill batches
		// (batch.go) while earlier batches are written.
		Concurrency: s.concurrency,
	}, l.handler(), stage.WithLogger(l.log), stage.WithOnDeadLetter(s.tracker.OnDeadLetter(l.log)), stage.WithObserver(s.metrics))
	return err
}

func (s *Service) ensureConsumer(durable, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	for _, c := range proto.Consumers(s.cfg.Site, proto.Options{AckWait: s.cfg.NATS.AckWait.Std()}) {
		if c.Stage != proto.StageSink {
			continue
		}
		cc := c.Config
		cc.Durable = durable
		cc.Description = "sink " + name + " reads docs"
		if _, err := s.js.CreateOrUpdateConsumer(ctx, c.Stream, cc); err != nil {
			return fmt.Errorf("ensure consumer %s: %w", durable, err)
		}
		return nil
	}
	return fmt.Errorf("no sink consumer in the topology")
}

// openPause is the first pause between attempts to open a sink; it
// doubles up to openPauseMax.
const (
	openPause    = time.Second
	openPauseMax = time.Minute
)

// run opens the lane's sink, trying again until it opens or ctx is done,
// then consumes.
func (l *lane) run(ctx context.Context) error {
	pause := openPause
	for {
		err := l.open(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		l.log.Error("open sink; trying again", "err", err, "pause", pause)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, openPauseMax)
	}
	return l.runner.Run(ctx)
}

// open opens the configured back-end unless the lane has one.
func (l *lane) open(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sink != nil {
		if l.batch == nil {
			l.batch = newBatcher(l.sink)
		}
		return nil
	}
	octx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	b, err := Open(octx, l.cfg)
	if err != nil {
		return fmt.Errorf("sink %s: %w", l.name, err)
	}
	l.sink, l.closer, l.batch = b, b, newBatcher(b)
	return nil
}

func (l *lane) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closer != nil {
		if err := l.closer.Close(); err != nil {
			l.log.Warn("close sink", "err", err)
		}
		l.closer, l.sink, l.batch = nil, nil, nil
	}
}
