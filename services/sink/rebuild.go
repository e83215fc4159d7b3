package sink

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// Rebuild fills sinks from the documents stream alone, for `conflux
// replay --rebuild-sink [--sink NAME]`: the sinks named (every configured
// sink when none is), one after the other. For each, it reads the last message of every document
// subject of the site through an ordered consumer, upserts each document
// (attachment bytes from the object store, groups to identities) and
// applies each tombstone, and returns once it has caught up. It calls no
// Confluence API and records no crawl progress. It returns the number of
// documents written (upserted, whether or not they changed). A message
// that cannot be decoded is logged and skipped. Deps.Client is not needed.
// The count returned is that of the last sink rebuilt (each gets the same
// documents). A name that is not configured is an error naming the
// configured ones.
func Rebuild(ctx context.Context, d Deps, names ...string) (int, error) {
	s, err := newService(d)
	if err != nil {
		return 0, err
	}
	defer s.close()
	lanes, err := s.selectLanes(names)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range lanes {
		if err := l.open(ctx); err != nil {
			return 0, fmt.Errorf("rebuild sink: %w", err)
		}
		if n, err = l.rebuild(ctx); err != nil {
			return n, err
		}
	}
	return n, nil
}

// selectLanes returns the lanes of the names given (all when none).
func (s *Service) selectLanes(names []string) ([]*lane, error) {
	if len(names) == 0 {
		return s.lanes, nil
	}
	var out []*lane
	var known []string
	for _, l := range s.lanes {
		known = append(known, l.name)
		if slices.Contains(names, l.name) {
			out = append(out, l)
		}
	}
	if len(out) != len(names) {
		return nil, fmt.Errorf("rebuild sink: no sink named %s (configured: %s)", strings.Join(names, ", "), strings.Join(known, ", "))
	}
	return out, nil
}

func (l *lane) rebuild(ctx context.Context) (int, error) {
	s := l.s
	var written, deleted, skipped atomic.Int64
	// Documents are written by many goroutines at once, so that the
	// lane's batcher writes them in batches; each subject comes once.
	p := pool.New().WithErrors().WithContext(ctx).WithFirstError().WithMaxGoroutines(s.concurrency)
	filter := proto.For(s.cfg.Site).Documents("")
	err := bus.EachLast(ctx, s.js, proto.StreamDocuments, filter, false, func(msg jetstream.Msg) error {
		m, err := bus.DecodeMsg(ctx, s.js, msg)
		if errors.Is(err, bus.ErrMalformed) || errors.Is(err, bus.ErrUnknownSchema) {
			skipped.Add(1)
			l.log.Warn("rebuild: message skipped", "subject", msg.Subject(), "err", err)
			return nil
		}
		if err != nil {
			return err
		}
		p.Go(func(ctx context.Context) error { return l.rebuildOne(ctx, m, &written, &deleted, &skipped) })
		return nil
	})
	if perr := p.Wait(); err == nil {
		err = perr
	}
	if err != nil {
		return int(written.Load()), fmt.Errorf("rebuild sink: %w", err)
	}
	l.log.Info("sink rebuilt", "sink", l.name, "written", written.Load(), "deleted", deleted.Load(), "skipped", skipped.Load())
	return int(written.Load()), nil
}

// rebuildOne applies one message of the documents stream and counts it.
func (l *lane) rebuildOne(ctx context.Context, m proto.Message, written, deleted, skipped *atomic.Int64) error {
	switch p := m.(type) {
	case *proto.DocumentReady:
		if _, err := l.write(ctx, p); err != nil {
			return err
		}
		written.Add(1)
	case *proto.DocumentDeleted:
		if err := l.remove(ctx, p); err != nil {
			return err
		}
		deleted.Add(1)
	default:
		skipped.Add(1)
		return nil
	}
	if n := written.Load() + deleted.Load(); n%1000 == 0 {
		l.log.Info("rebuilding sink", "written", written.Load(), "deleted", deleted.Load())
	}
	return nil
}
