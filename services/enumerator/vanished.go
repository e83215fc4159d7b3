package enumerator

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// vanishedSpaces returns the spaces (id → key) that still have live
// documents in the documents stream but are no longer among the crawl's
// spaces: deleted, archived, excluded by configuration, or no longer
// visible to the crawler. A full crawl adds them with an empty, complete
// listing, so that the sink sweeps their documents through the same path
// and guard as any other deletion (a whole space is always more than
// sink.max_delete_share: it goes only with --force).
func (s *Service) vanishedSpaces(ctx context.Context, current map[string]string) (map[string]string, error) {
	stream, err := s.d.JS.Stream(ctx, proto.StreamDocuments)
	if err != nil {
		return nil, fmt.Errorf("documents stream: %w", err)
	}
	prefix := "conflux." + s.Sub.Site() + ".doc."
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(prefix+">"))
	if err != nil {
		return nil, fmt.Errorf("documents stream subjects: %w", err)
	}
	candidates := map[string]bool{}
	for subj := range info.State.Subjects {
		space, _, ok := strings.Cut(strings.TrimPrefix(subj, prefix), ".")
		if ok && !hasToken(current, space) {
			candidates[space] = true
		}
	}
	gone := map[string]string{}
	for space := range candidates {
		key, live, err := s.liveDocument(ctx, prefix+space+".*")
		if err != nil {
			return nil, err
		}
		if live {
			gone[space] = key
		}
	}
	return gone, nil
}

// hasToken reports whether a space id of the crawl has this subject token.
func hasToken(spaces map[string]string, token string) bool {
	for id := range spaces {
		if proto.Token(id) == token {
			return true
		}
	}
	return false
}

// errFound stops a read that found what it looked for.
var errFound = errors.New("found")

// liveDocument reads the last message of each document subject of a space
// until it finds a document that is not a tombstone, and returns its space
// key.
func (s *Service) liveDocument(ctx context.Context, filter string) (string, bool, error) {
	var key string
	err := bus.EachLast(ctx, s.d.JS, proto.StreamDocuments, filter, false, func(msg jetstream.Msg) error {
		if msg.Headers().Get(proto.HeaderSchema) != proto.SchemaDocumentReady.String() {
			return nil // a tombstone
		}
		if m, err := bus.DecodeMsg(ctx, s.d.JS, msg); err == nil {
			if doc, ok := m.(*proto.DocumentReady); ok {
				key = doc.Document.SpaceKey
			}
		}
		return errFound
	})
	switch {
	case errors.Is(err, errFound):
		return key, true, nil
	case err != nil:
		return "", false, fmt.Errorf("read %s: %w", filter, err)
	}
	return "", false, nil
}
