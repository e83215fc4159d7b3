package fetcher

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/items"
	"github.com/conflux-dev/conflux/proto"
)

// lookupBatch is how many ids one CQL look-up names (the search's largest
// page).
const lookupBatch = 100

// changedSince publishes what changed in the space since the given time,
// at bulk cost: one CQL window over the space's pages, blog posts and
// folders (labels, restrictions and paths expanded), their bodies from
// the v2 lists by id, 250 a call, and the comments and attachments that
// the crawl's site-wide lists returned as changed (or, without them, the
// comments and attachments of every container CQL saw change, per
// container). The paths and restrictions of unchanged containers and
// ancestors come from CQL look-ups by id, 100 a call. Deletions are not
// reported by CQL: the periodic full crawl sweeps them; what CQL cannot
// see (archived pages) is left to full crawls too.
func (l *listing) changedSince(ctx context.Context, since time.Time) error {
	types := "page, blogpost, folder"
	expand := []string{confluence.ExpandLabels, confluence.ExpandRestrictionUsers, confluence.ExpandRestrictionGroup,
		confluence.ExpandAncestors, confluence.ExpandVersion, confluence.ExpandHistory}
	if !l.sp.Sitewide {
		types += ", comment, attachment"
		expand = append(expand, confluence.ExpandContainer)
	}
	cql := windowCQL(l.sp.SpaceKey, types, since)
	var pages, blogs []string
	var folders []confluence.SearchContent
	for r, err := range l.s.d.Client.Search(ctx, cql, l.searchOptions(expand...)) {
		if err != nil {
			return fmt.Errorf("search changes since %s: %w", CQLTime(since), err)
		}
		c := r.Content
		switch c.Type {
		case proto.TypePage, proto.TypeBlogPost, proto.TypeFolder:
			if err := l.learn(ctx, c); err != nil {
				return err
			}
			l.paths[c.ID] = items.Path(c.Ancestors)
			l.titles[c.ID] = c.Title
		}
		switch c.Type {
		case proto.TypePage:
			pages = append(pages, c.ID)
		case proto.TypeBlogPost:
			blogs = append(blogs, c.ID)
		case proto.TypeFolder:
			folders = append(folders, c)
		case "comment", proto.TypeAttachment:
			if k := c.Container; k != nil && (k.Type == proto.TypePage || k.Type == proto.TypeBlogPost) {
				if k.Type == proto.TypePage {
					pages = append(pages, k.ID)
				} else {
					blogs = append(blogs, k.ID)
				}
			}
		}
	}
	if l.sp.Sitewide {
		if err := l.wantSitewide(ctx); err != nil {
			return err
		}
	}
	if err := l.completePaths(ctx); err != nil {
		return err
	}
	if err := l.matchFilterByID(ctx, l.candidates(pages, blogs, folders)); err != nil {
		return err
	}
	for _, f := range folders {
		it := folderFromHit(f)
		if !l.folderInScope(it, l.paths[it.msg.ID]) {
			continue
		}
		if err := l.publish(ctx, it, l.paths[it.msg.ID]); err != nil {
			return err
		}
	}
	if err := l.changedContainers(ctx, unique(pages), unique(blogs)); err != nil {
		return err
	}
	if !l.sp.Sitewide {
		return nil
	}
	return l.fromSitewide(ctx)
}

// changedContainers publishes changed pages and blog posts, read by id
// with their bodies, and, without site-wide lists, what hangs off them.
func (l *listing) changedContainers(ctx context.Context, pages, blogs []string) error {
	p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(subConcurrency)
	for pg, err := range l.s.d.Client.PagesByID(ctx, pages, confluence.ListQuery{BodyFormat: "storage", Status: l.statuses(), Limit: ListLimit}) {
		if err != nil {
			_ = p.Wait()
			return fmt.Errorf("get %d changed pages: %w", len(pages), err)
		}
		if pg.SpaceID != "" && pg.SpaceID != l.sp.SpaceID {
			continue
		}
		p.Go(func(ctx context.Context) error { return l.changed(ctx, pageItem(pg)) })
	}
	if !l.scope.r.HasType(proto.TypeBlogPost) {
		blogs = nil
	}
	for bp, err := range l.s.d.Client.BlogPostsByID(ctx, blogs, confluence.ListQuery{BodyFormat: "storage", Status: []string{"current"}, Limit: ListLimit}) {
		if err != nil {
			_ = p.Wait()
			return fmt.Errorf("get %d changed blog posts: %w", len(blogs), err)
		}
		if bp.SpaceID != "" && bp.SpaceID != l.sp.SpaceID {
			continue
		}
		p.Go(func(ctx context.Context) error { return l.changed(ctx, blogItem(bp)) })
	}
	return p.Wait()
}

// changed publishes one changed page or blog post with its path: as CQL
// returned it, else (a page not indexed yet) from its own route.
func (l *listing) changed(ctx context.Context, it item) error {
	l.mu.Lock()
	above, ok := l.paths[it.msg.ID]
	l.mu.Unlock()
	if !ok && it.msg.ParentID != "" {
		var err error
		if above, err = l.pathByAPI(ctx, it.msg.ID); errors.Is(err, confluence.ErrNotFound) {
			return nil // gone since it was read
		} else if err != nil {
			return err
		}
	}
	return l.container(ctx, it, above)
}

// pathByAPI is the path above a page CQL did not return (not yet
// indexed), from its own route.
func (l *listing) pathByAPI(ctx context.Context, id string) ([]proto.Ancestor, error) {
	l.fallbacks.Add(1)
	as, err := l.s.d.Client.Ancestors(ctx, "pages", id)
	if err != nil {
		return nil, fmt.Errorf("ancestors of page %s: %w", id, err)
	}
	out := make([]proto.Ancestor, 0, len(as))
	for _, a := range as {
		out = append(out, proto.Ancestor{ID: a.ID, Type: a.Type})
	}
	l.mu.Lock()
	l.paths[id] = out
	l.mu.Unlock()
	return out, nil
}

// completePaths looks up, 100 ids a CQL call, the paths and restrictions
// of what the changes hang off and the bulk pass did not return: the
// containers of changed comments and attachments, and the ancestors of
// everything changed.
func (l *listing) completePaths(ctx context.Context) error {
	for round := 0; round < 3; round++ {
		missing := l.unknownNodes()
		if len(missing) == 0 {
			return nil
		}
		for start := 0; start < len(missing); start += lookupBatch {
			if err := l.lookup(ctx, missing[start:min(start+lookupBatch, len(missing))]); err != nil {
				return err
			}
		}
		l.mu.Lock()
		for _, id := range missing {
			if _, ok := l.known[id]; !ok {
				l.known[id] = known{} // not returned: the resolver looks it up
			}
		}
		l.mu.Unlock()
	}
	return nil
}

// unknownNodes lists the nodes on known paths, and the containers of
// site-wide rows, whose restriction the listing does not know yet.
func (l *listing) unknownNodes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, anc := range l.paths {
		for _, a := range anc {
			if _, ok := l.known[a.ID]; !ok {
				out = append(out, a.ID)
			}
		}
	}
	for id := range l.wanted {
		if _, ok := l.known[id]; !ok {
			out = append(out, id)
		}
	}
	return unique(out)
}

// lookup reads the restrictions and paths of up to 100 items by id.
func (l *listing) lookup(ctx context.Context, ids []string) error {
	cql := idsCQL(ids)
	opts := l.searchOptions(confluence.ExpandRestrictionUsers, confluence.ExpandRestrictionGroup, confluence.ExpandAncestors)
	if l.scope.labelRules() {
		opts.Expand = append(opts.Expand, confluence.ExpandLabels) // containers of changed comments are judged by label
	}
	for r, err := range l.s.d.Client.Search(ctx, cql, opts) {
		if err != nil {
			return fmt.Errorf("look up %d items: %w", len(ids), err)
		}
		if err := l.learn(ctx, r.Content); err != nil {
			return err
		}
		l.mu.Lock()
		l.paths[r.Content.ID] = items.Path(r.Content.Ancestors)
		l.titles[r.Content.ID] = r.Content.Title
		l.mu.Unlock()
	}
	return nil
}

func unique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
