package sink

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// Rebuild fills the sink from the documents stream alone, for `conflux
// replay --rebuild-sink`: it reads the last message of every document
// subject of the site through an ordered consumer, upserts each document
// (attachment bytes from the object store, groups to identities) and
// applies each tombstone, and returns once it has caught up. It calls no
// Confluence API and records no crawl progress. It returns the number of
// documents written (upserted, whether or not they changed). A message
// that cannot be decoded is logged and skipped. Deps.Client is not needed.
func Rebuild(ctx context.Context, d Deps) (int, error) {
	s, err := newService(d)
	if err != nil {
		return 0, err
	}
	defer s.close()
	return s.rebuild(ctx)
}

func (s *Service) rebuild(ctx context.Context) (int, error) {
	written, deleted, skipped := 0, 0, 0
	filter := proto.For(s.cfg.Site).Documents("")
	err := bus.EachLast(ctx, s.js, proto.StreamDocuments, filter, false, func(msg jetstream.Msg) error {
		m, err := bus.DecodeMsg(ctx, s.js, msg)
		if errors.Is(err, bus.ErrMalformed) || errors.Is(err, bus.ErrUnknownSchema) {
			skipped++
			s.log.Warn("rebuild: message skipped", "subject", msg.Subject(), "err", err)
			return nil
		}
		if err != nil {
			return err
		}
		switch p := m.(type) {
		case *proto.DocumentReady:
			if _, err := s.write(ctx, p); err != nil {
				return err
			}
			written++
		case *proto.DocumentDeleted:
			if err := s.remove(ctx, p); err != nil {
				return err
			}
			deleted++
		default:
			skipped++
		}
		if n := written + deleted; n%1000 == 0 && n > 0 {
			s.log.Info("rebuilding sink", "written", written, "deleted", deleted)
		}
		return nil
	})
	if err != nil {
		return written, fmt.Errorf("rebuild sink: %w", err)
	}
	s.log.Info("sink rebuilt", "written", written, "deleted", deleted, "skipped", skipped)
	return written, nil
}
