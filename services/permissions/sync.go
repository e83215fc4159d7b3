package permissions

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/proto"
)

// sync is the permission-only path: it reloads the item's last document
// from the documents stream, recomputes its ACL and publishes the document
// again, marked ACLOnly, only when the ACL (or the membership of a group
// it lists) changed. An unchanged document is recorded as written at
// once; a changed one is recorded by the sink once it has written it. No
// body or file is fetched.
func (s *Service) sync(ctx context.Context, m *proto.ContentFetched) error {
	prev, err := lastDocument(ctx, s.d.JS, s.docs, s.sub.Document(m.SpaceID, m.ID))
	if err != nil {
		return err
	}
	if prev == nil {
		return s.drop(ctx, m, "no document to update")
	}
	it := documentItem(m, prev)
	v, err := s.verdict(ctx, &it)
	if err != nil {
		return s.failure(ctx, it, err)
	}
	doc := prev.Document
	doc.ACL = v.result.ACL(v.state.Email)
	doc.Ancestors, doc.AncestorTitles = it.ancestors, it.titles
	if doc.ContainerID == nil && doc.Type != proto.TypeBlogPost {
		doc.ParentID = lastOf(it.ancestors)
	}
	groups := v.result.ProtoGroups(v.state.Email)
	s.cov.add(m.CrawlID, m.SpaceID, m.ID, v.key, v.result.Public, v.result.Allowed, v.state.Email)
	if m.LabelsKnown {
		doc.Labels = orEmpty(m.Labels)
	}
	hash := acl.Hash(doc.ACL, groups)
	moved := !slices.Equal(doc.Ancestors, prev.Document.Ancestors) ||
		!slices.Equal(doc.AncestorTitles, prev.Document.AncestorTitles) // moved or renamed above
	relabelled := !slices.Equal(doc.Labels, prev.Document.Labels)
	if hash == acl.Hash(prev.Document.ACL, prev.Groups) && !moved && !relabelled {
		s.n.unchanged.Add(1)
		if err := s.tracker.RecordTracked(ctx, m, proto.StagePermissions, proto.OutcomeWritten, ""); err != nil { // nothing to note: most documents of a sync are unchanged
			return fmt.Errorf("record unchanged %s: %w", m.ID, err)
		}
		return nil
	}
	doc.CrawlID = m.CrawlID
	msg := &proto.DocumentReady{Document: doc, Groups: groups, ACLOnly: true, UserNames: prev.UserNames}
	id := proto.MsgID("acl", doc.ID, doc.Version, m.CrawlID) + ":" + hash + ":" + strings.Join(doc.Labels, ",")
	if err := s.pub.Publish(ctx, s.sub.Document(m.SpaceID, m.ID), msg, id); err != nil {
		return fmt.Errorf("publish acl of %s: %w", m.ID, err)
	}
	s.n.aclUpdates.Add(1)
	return nil
}

// documentItem is the item of a permission-only sync, read from its last
// document, with the path the fetcher found now (a move changes what a
// page inherits without a new version).
func documentItem(m *proto.ContentFetched, prev *proto.DocumentReady) item {
	d := prev.Document
	it := item{
		crawlID: m.CrawlID, kind: m.Kind, spaceID: m.SpaceID, id: m.ID, typ: d.Type, version: d.Version,
		ancestors: ancestorIDs(m.Ancestors), titles: orEmpty(ancestorTitles(m.Ancestors)), authorID: d.Author.AccountID, doc: d, tracked: m,
		known: knownRestrictions(m.Restrictions),
	}
	if d.ContainerID != nil {
		it.containerID = *d.ContainerID
	}
	return it
}
