package permissions

import (
	"context"
	"errors"
	"fmt"

	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// handleContent resolves a page, blog post, folder or comment, or
// re-resolves a document of a permission-only crawl.
func (s *Service) handleContent(ctx context.Context, _ *stage.Msg, p *proto.ContentFetched) error {
	s.n.items.Add(1)
	if p.Kind == proto.CrawlPermissions {
		return s.sync(ctx, p)
	}
	return s.resolve(ctx, contentItem(p, s.site, s.host))
}

// handleStored resolves an extracted attachment.
func (s *Service) handleStored(ctx context.Context, _ *stage.Msg, p *proto.AttachmentStored) error {
	s.n.items.Add(1)
	return s.resolve(ctx, storedItem(p, s.site, s.host))
}

// resolve finishes a document of a full or incremental crawl and
// publishes it.
func (s *Service) resolve(ctx context.Context, it item) error {
	v, err := s.verdict(ctx, &it)
	if err != nil {
		return s.failure(ctx, it, err)
	}
	doc := it.doc
	doc.ACL = v.result.ACL(v.state.Email)
	groups := v.result.ProtoGroups(v.state.Email)
	if doc.Author.Email, err = s.authorEmail(ctx, v.state, it.authorID); err != nil {
		return s.failure(ctx, it, err)
	}
	names, err := s.mentionNames(ctx, v.state, doc)
	if err != nil {
		return s.failure(ctx, it, err)
	}
	msg := &proto.DocumentReady{Document: doc, Groups: groups, UserNames: names}
	subject := s.sub.Document(it.spaceID, it.id)
	if err := s.pub.Publish(ctx, subject, msg, proto.MsgID("doc", it.id, it.version, it.crawlID)); err != nil {
		return fmt.Errorf("publish document %s: %w", it.id, err)
	}
	s.n.published.Add(1)
	s.cov.add(it.crawlID, it.spaceID, it.id, v.key, v.result.Public, v.result.Allowed, v.state.Email)
	return nil
}

// verdict evaluates the rule for an item. For a comment or attachment
// whose message did not carry its container's path, it looks the path up
// (once per crawl) and completes the document's ancestors.
func (s *Service) verdict(ctx context.Context, it *item) (verdict, error) {
	var above []string
	st := s.res.state(ctx, it.crawlID, it.kind)
	if it.inherits() {
		path, ok := it.containerPath()
		if !ok {
			as, err := s.res.ancestors(ctx, st, "pages", it.containerID)
			if err != nil {
				return verdict{}, err
			}
			path = ancestorIDs(as)
			it.ancestors = append(append([]string{}, path...), it.containerID)
			it.titles = untitled(len(it.ancestors)) // the ancestors route names no titles
			it.doc.Ancestors, it.doc.ParentID = it.ancestors, lastOf(it.ancestors)
			it.doc.AncestorTitles = it.titles
		}
		above = path
	}
	return s.res.evaluate(ctx, st, it.spaceID, it.chain(above), it.known)
}

func (s *Service) authorEmail(ctx context.Context, st *crawlState, accountID string) (string, error) {
	if accountID == "" {
		return "", nil
	}
	ms, err := s.res.members(ctx, st, []string{accountID})
	if err != nil {
		return "", fmt.Errorf("author of item: %w", err)
	}
	return ms[0].Email, nil
}

// failure maps an error once: an item Confluence no longer has is
// dropped (recorded, not retried); a rate limit waits as long as asked; a
// permanent API error goes to the dead letters; anything else is retried
// with back-off.
func (s *Service) failure(ctx context.Context, it item, err error) error {
	var missing *missingError
	switch {
	case errors.As(err, &missing):
		return s.drop(ctx, it.tracked, err.Error())
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return err
	}
	return worker.Classify(fmt.Errorf("resolve %s %s: %w", it.typ, it.id, err))
}

// drop records that an item cannot be published.
func (s *Service) drop(ctx context.Context, m proto.Tracked, reason string) error {
	crawlID, spaceID, itemID := m.Track()
	s.n.dropped.Add(1)
	s.log.Info("item dropped", "crawl_id", crawlID, "space_id", spaceID, "content_id", itemID, "reason", reason)
	if err := s.tracker.RecordTracked(ctx, m, proto.StagePermissions, proto.OutcomeDropped, reason); err != nil {
		return fmt.Errorf("record dropped %s: %w", itemID, err)
	}
	return nil
}
