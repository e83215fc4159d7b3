package fetcher

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// The rules (config.Rules) decide what of a space is published, from what
// the listing reads anyway: the tree and the bulk pass give paths and
// labels, item rows give types, dates and media types. The only calls a
// rule adds are the CQL filter's: one search of the space with the
// filter, ids only, 100 a call (an incremental crawl asks about its
// changed items by id instead). What a rule leaves out is not published,
// so the sink's sweep after a full crawl deletes it like anything else the
// crawl did not see. Restrictions are unaffected: the tree and the bulk
// pass still cover every node, so a page kept under an excluded ancestor
// inherits that ancestor's restriction as before.
//
// A page, blog post or folder is in scope when its type is indexed, it is
// in one of rules.page_trees (when set), it matches rules.cql (when set)
// and its labels pass rules.labels. Comments and attachments follow their
// page or blog post: they are published only when it is in scope. Each
// item is then published when its own type is indexed (folders:
// rules.folders_as_documents), its own last modification passes
// modified_after / modified_within, and, for attachments, its media type
// passes rules.attachments.media_types.

// scope is the rules of one listing.
type scope struct {
	r     config.Rules
	since time.Time       // earliest last modification published (zero: any)
	trees map[string]bool // rules.page_trees
	// matched are the pages, blog posts and folders the CQL filter
	// returned; nil without a filter.
	matched map[string]bool
}

func newScope(r config.Rules, now time.Time) *scope {
	s := &scope{r: r, since: r.Since(now)}
	if len(r.PageTrees) > 0 {
		s.trees = map[string]bool{}
		for _, id := range r.PageTrees {
			s.trees[id] = true
		}
	}
	if s.filter() != "" {
		s.matched = map[string]bool{}
	}
	return s
}

// filter is the CQL filter, "" when none.
func (s *scope) filter() string { return strings.TrimSpace(s.r.CQL) }

// labelRules reports whether labels decide anything.
func (s *scope) labelRules() bool { return len(s.r.Labels.Include)+len(s.r.Labels.Exclude) > 0 }

// typeIndexed reports whether items of a type are published.
func (s *scope) typeIndexed(typ string) bool {
	if typ == proto.TypeFolder {
		return s.r.FoldersAsDocuments
	}
	return s.r.HasType(typ)
}

// inTree reports whether an item with this path is in one of the page
// trees (or no tree is configured).
func (s *scope) inTree(id string, path []proto.Ancestor) bool {
	if s.trees == nil || s.trees[id] {
		return true
	}
	return slices.ContainsFunc(path, func(a proto.Ancestor) bool { return s.trees[a.ID] })
}

// labelled reports whether labels pass the label rules.
func (s *scope) labelled(labels []string) bool {
	for _, l := range labels {
		if slices.Contains(s.r.Labels.Exclude, l) {
			return false
		}
	}
	if len(s.r.Labels.Include) == 0 {
		return true
	}
	return slices.ContainsFunc(labels, func(l string) bool { return slices.Contains(s.r.Labels.Include, l) })
}

// fresh reports whether an item last modified at t passes the date rules.
func (s *scope) fresh(t time.Time) bool { return s.since.IsZero() || !t.Before(s.since) }

// publishes reports whether one item, its container in scope, is
// published by its own type, date and media type.
func (s *scope) publishes(typ string, updated time.Time, mediaType string) bool {
	if !s.typeIndexed(typ) || !s.fresh(updated) {
		return false
	}
	return typ != proto.TypeAttachment || s.r.MediaTypeAllowed(mediaType)
}

// inScope reports whether a page, blog post or folder is in scope as far
// as its type, path and the CQL filter go (labels are checked apart, once
// known). An item the search never returned (not indexed yet) cannot be
// judged by the filter and is kept until it can.
func (l *listing) inScope(id, typ string, path []proto.Ancestor) bool {
	s := l.scope
	if typ != proto.TypeFolder && !s.r.HasType(typ) || typ != proto.TypeBlogPost && !s.inTree(id, path) {
		return false
	}
	if s.matched == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return s.matched[id] || !l.known[id].cql
}

// folderInScope reports whether a folder is in scope (its labels as the
// bulk pass returned them).
func (l *listing) folderInScope(f item, above []proto.Ancestor) bool {
	labels, _ := l.knownLabels(f.msg.ID)
	return l.inScope(f.msg.ID, proto.TypeFolder, above) && l.scope.labelled(labels)
}

// blogPosts lists the space's blog posts with their bodies, or nothing
// when rules.types leaves blog posts out.
func (l *listing) blogPosts(ctx context.Context) iter.Seq2[confluence.BlogPost, error] {
	if !l.scope.r.HasType(proto.TypeBlogPost) {
		return func(func(confluence.BlogPost, error) bool) {}
	}
	return l.s.d.Client.SpaceBlogPosts(ctx, l.sp.SpaceID, confluence.ListQuery{
		BodyFormat: "storage", Status: []string{"current"}, Limit: ListLimit})
}

// containerInScope reports whether the comments and attachments of a
// page or blog post are published: it is in scope. A full listing knows
// (it published the container, or left it out); an incremental one judges
// an unchanged container from its path and labels as CQL returned them
// (its labels from their own route when the expansion was capped).
func (l *listing) containerInScope(ctx context.Context, id, typ string, path []proto.Ancestor) (bool, error) {
	l.mu.Lock()
	_, published := l.containers[id]
	out := l.excluded[id]
	l.mu.Unlock()
	switch {
	case published || out:
		return published, nil
	case !l.scope.r.Active():
		return true, nil
	}
	above := path
	if n := len(path); n > 0 && path[n-1].ID == id {
		above = path[:n-1]
	}
	if !l.inScope(id, typ, above) {
		return false, nil
	}
	if !l.scope.labelRules() {
		return true, nil
	}
	kind := confluence.KindPages
	if typ == proto.TypeBlogPost {
		kind = confluence.KindBlogPosts
	}
	labels, err := l.labels(ctx, item{kind: kind, msg: proto.ContentFetched{ID: id, Type: typ}})
	if err != nil {
		return false, err
	}
	in := l.scope.labelled(labels)
	l.mu.Lock()
	if in {
		l.containers[id] = typ
	} else {
		l.excluded[id] = true
	}
	l.mu.Unlock()
	return in, nil
}

// ruled reports whether the rules leave a published message out; a
// permission-only sync re-reads what the sink has and is not ruled.
func (l *listing) ruled(typ string, updated time.Time, mediaType string) bool {
	return l.sp.Kind != proto.CrawlPermissions && !l.scope.publishes(typ, updated, mediaType)
}

// excludeContainer notes a page or blog post out of scope, so that its
// comments and attachments are left out too.
func (l *listing) excludeContainer(id string) {
	l.mu.Lock()
	l.excluded[id] = true
	l.mu.Unlock()
}

// matchFilter runs the CQL filter over the space's pages, blog posts and
// folders (ids only) and records what it returned.
func (l *listing) matchFilter(ctx context.Context) error {
	if l.scope.matched == nil {
		return nil
	}
	return l.recordMatches(ctx, filteredCQL(contentCQL(l.sp.SpaceKey), l.scope.filter()))
}

// matchFilterByID asks the CQL filter about items by id, 100 a call (an
// incremental listing's changed items and the containers of its changed
// comments and attachments).
func (l *listing) matchFilterByID(ctx context.Context, ids []string) error {
	if l.scope.matched == nil {
		return nil
	}
	for start := 0; start < len(ids); start += lookupBatch {
		batch := ids[start:min(start+lookupBatch, len(ids))]
		if err := l.recordMatches(ctx, filteredCQL(idsCQL(batch), l.scope.filter())); err != nil {
			return err
		}
	}
	return nil
}

func (l *listing) recordMatches(ctx context.Context, cql string) error {
	for r, err := range l.s.d.Client.Search(ctx, cql, l.searchOptions()) {
		if err != nil {
			return fmt.Errorf("search with rules.cql: %w", err)
		}
		l.mu.Lock()
		l.scope.matched[r.Content.ID] = true
		l.mu.Unlock()
	}
	return nil
}

// candidates are the items an incremental listing may publish or hang
// comments and attachments off: its changed pages, blog posts and
// folders, and the containers of its changed site-wide rows.
func (l *listing) candidates(pages, blogs []string, folders []confluence.SearchContent) []string {
	ids := append(slices.Clone(pages), blogs...)
	for _, f := range folders {
		ids = append(ids, f.ID)
	}
	l.mu.Lock()
	for id := range l.wanted {
		ids = append(ids, id)
	}
	l.mu.Unlock()
	return unique(ids)
}
