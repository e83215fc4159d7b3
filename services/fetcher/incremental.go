package fetcher

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// CQLTime formats a time the way CQL dates are written: minute
// resolution. conflux reads and writes them in UTC; the window overlaps
// the previous one (see Overlap) because CQL evaluates dates in the
// calling user's time zone, which the API does not tell.
func CQLTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// changedSince publishes the pages and blog posts of the space modified
// since the given time, and those on which a comment or an attachment
// changed, each with its labels, attachments and comments, as CQL reports
// them. Deletions are not reported by CQL: the periodic full crawl sweeps
// them. What CQL cannot see (archived pages) is left to full crawls too.
func (l *listing) changedSince(ctx context.Context, since time.Time) error {
	cql := fmt.Sprintf(`%s and type in (page, blogpost, comment, attachment) and lastmodified >= "%s" order by lastmodified asc`,
		l.spaceCQL(), CQLTime(since))
	seen := map[string]bool{}
	p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(subConcurrency)
	for r, err := range l.s.d.Client.Search(ctx, cql, l.searchOptions("content.container")) {
		if err != nil {
			_ = p.Wait()
			return fmt.Errorf("search changes since %s: %w", CQLTime(since), err)
		}
		id, typ := r.Content.ID, r.Content.Type
		if (typ == "comment" || typ == proto.TypeAttachment) && r.Content.Container != nil {
			id, typ = r.Content.Container.ID, r.Content.Container.Type
		}
		if seen[id] || (typ != proto.TypePage && typ != proto.TypeBlogPost) {
			continue
		}
		seen[id] = true
		p.Go(func(ctx context.Context) error { return l.changed(ctx, typ, id) })
	}
	return p.Wait()
}

// changed fetches one changed page or blog post with its body and
// ancestors and publishes it with what hangs off it.
func (l *listing) changed(ctx context.Context, typ, id string) error {
	var it item
	if typ == proto.TypePage {
		pg, err := l.s.d.Client.Page(ctx, id)
		if errors.Is(err, confluence.ErrNotFound) {
			return nil // deleted since the search
		}
		if err != nil {
			return fmt.Errorf("get page %s: %w", id, err)
		}
		if !l.wantStatus(pg.Status) {
			return nil
		}
		it = pageItem(pg)
		anc, err := l.s.d.Client.Ancestors(ctx, "pages", id)
		if err != nil {
			return fmt.Errorf("ancestors of page %s: %w", id, err)
		}
		if err := l.learnAncestors(ctx, anc); err != nil {
			return err
		}
		l.mu.Lock()
		l.tree[id] = node{typ: proto.TypePage, parentID: it.msg.ParentID}
		l.mu.Unlock()
	} else {
		bp, err := l.s.d.Client.BlogPost(ctx, id)
		if errors.Is(err, confluence.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("get blog post %s: %w", id, err)
		}
		if bp.Status != "current" {
			return nil
		}
		it = blogItem(bp)
	}
	return l.container(ctx, it)
}

// learnAncestors adds a changed page's path to the tree, and publishes the
// folders on it that this listing has not published yet: a page moved into
// a new folder brings the folder with it.
func (l *listing) learnAncestors(ctx context.Context, anc []confluence.Ancestor) error {
	var folders []string
	l.mu.Lock()
	for i, a := range anc {
		parent := ""
		if i > 0 {
			parent = anc[i-1].ID
		}
		if _, known := l.tree[a.ID]; !known && a.Type == proto.TypeFolder {
			folders = append(folders, a.ID)
		}
		l.tree[a.ID] = node{typ: a.Type, parentID: parent}
	}
	l.mu.Unlock()
	for _, id := range folders {
		f, err := l.s.d.Client.Folder(ctx, id)
		if errors.Is(err, confluence.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("get folder %s: %w", id, err)
		}
		if err := l.publish(ctx, folderItem(f), l.ancestors(f.ParentID)); err != nil {
			return err
		}
	}
	return nil
}
