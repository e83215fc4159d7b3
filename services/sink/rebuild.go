package sink

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

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
	written, deleted, skipped := 0, 0, 0
	filter := proto.For(s.cfg.Site).Documents("")
	err := bus.EachLast(ctx, s.js, proto.StreamDocuments, filter, false, func(msg jetstream.Msg) error {
		m, err := bus.DecodeMsg(ctx, s.js, msg)
		if errors.Is(err, bus.ErrMalformed) || errors.Is(err, bus.ErrUnknownSchema) {
			skipped++
			l.log.Warn("rebuild: message skipped", "subject", msg.Subject(), "err", err)
			return nil
		}
		if err != nil {
			return err
		}
		switch p := m.(type) {
		case *proto.DocumentReady:
			if _, err := l.write(ctx, p); err != nil {
				return err
			}
			written++
		case *proto.DocumentDeleted:
			if err := l.remove(ctx, p); err != nil {
				return err
			}
			deleted++
		default:
			skipped++
		}
		if n := written + deleted; n%1000 == 0 && n > 0 {
			l.log.Info("rebuilding sink", "written", written, "deleted", deleted)
		}
		return nil
	})
	if err != nil {
		return written, fmt.Errorf("rebuild sink: %w", err)
	}
	l.log.Info("sink rebuilt", "sink", l.name, "written", written, "deleted", deleted, "skipped", skipped)
	return written, nil
}
