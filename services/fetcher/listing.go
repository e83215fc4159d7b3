package fetcher

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// ListLimit is the page size of every list call: the API's maximum.
const ListLimit = 250

// subConcurrency bounds the per-container calls (labels, attachments,
// comments) running at once for one space.
const subConcurrency = 4

// listing is one space's listing in one crawl.
type listing struct {
	s  *Service
	sp *proto.SpaceFound

	items, attachments atomic.Int64
	// fallbacks counts the per-item calls made where the bulk pass was
	// incomplete (capped expansions, items CQL did not return).
	fallbacks atomic.Int64

	mu         sync.Mutex
	tree       map[string]node                     // pages and folders of the space, by id
	known      map[string]known                    // labels and restrictions from the bulk pass
	folderHits map[string]confluence.SearchContent // folders the bulk pass returned
	containers map[string]string                   // published pages and blog posts: id → type
	titles     map[string]string                   // titles of published containers and of CQL hits, for paths
	// paths and wanted serve incremental listings, which have no tree:
	// the path of each item CQL returned, and the containers of changed
	// comments and attachments.
	paths  map[string][]proto.Ancestor
	wanted map[string]bool
	// scope applies the rules; excluded are the pages and blog posts out
	// of it, whose comments and attachments are left out (rules.go).
	scope    *scope
	excluded map[string]bool
}

// node is what the tree needs of a page or folder; the title names it in
// the paths (breadcrumbs) of the items below it.
type node struct {
	typ, parentID, title string
}

func newListing(s *Service, sp *proto.SpaceFound) *listing {
	return &listing{s: s, sp: sp, tree: map[string]node{}, known: map[string]known{},
		folderHits: map[string]confluence.SearchContent{}, containers: map[string]string{}, titles: map[string]string{},
		paths: map[string][]proto.Ancestor{}, wanted: map[string]bool{},
		scope: newScope(s.d.Config.Rules, time.Now()), excluded: map[string]bool{}}
}

// incremental reports whether the listing reads only what changed since
// the space's checkpoint (a space without one is listed in full).
func (l *listing) incremental() bool {
	return l.sp.Kind == proto.CrawlIncremental && !l.sp.Since.IsZero()
}

func (l *listing) statuses() []string {
	if l.s.d.Config.Content.IncludeArchived {
		return []string{"current", "archived"}
	}
	return []string{"current"}
}

// everything lists the whole space: the bulk pass (labels, restrictions,
// folders), then the pages with their bodies (building the tree), then
// folders, then the pages that had to wait for them, then blog posts; for
// each page and blog post its attachments and comments (from the
// site-wide lists when the crawl has them).
func (l *listing) everything(ctx context.Context) error {
	if err := l.scan(ctx); err != nil {
		return err
	}
	if err := l.matchFilter(ctx); err != nil {
		return err
	}
	p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(subConcurrency)
	pending, err := l.pages(ctx, p)
	if err == nil {
		err = l.loadFolders(ctx, true)
	}
	if err != nil {
		_ = p.Wait()
		return err
	}
	for _, pg := range pending {
		p.Go(func(ctx context.Context) error { return l.container(ctx, pageItem(pg), l.ancestors(pg.ParentID)) })
	}
	for bp, err := range l.blogPosts(ctx) {
		if err != nil {
			_ = p.Wait()
			return fmt.Errorf("list blog posts: %w", err)
		}
		p.Go(func(ctx context.Context) error { return l.container(ctx, blogItem(bp), nil) })
	}
	if err := p.Wait(); err != nil || !l.sp.Sitewide {
		return err
	}
	return l.fromSitewide(ctx)
}

// pages lists the space's pages with their bodies, in id order, in one
// pass that also builds the tree: a page whose path is already known
// (parents are older than their children, so usually listed first; folders
// come from the bulk pass) is published at once; the others (under a page
// moved beneath a newer one, or a folder the search did not return) wait
// for the end of the list and are returned.
func (l *listing) pages(ctx context.Context, p *pool.ContextPool) ([]confluence.Page, error) {
	var pending []confluence.Page
	for pg, err := range l.s.d.Client.SpacePages(ctx, l.sp.SpaceID, confluence.ListQuery{
		BodyFormat: "storage", Status: l.statuses(), Sort: "id", Limit: ListLimit}) {
		if err != nil {
			return nil, fmt.Errorf("list pages: %w", err)
		}
		l.mu.Lock()
		l.tree[pg.ID] = node{typ: proto.TypePage, parentID: pg.ParentID, title: pg.Title}
		above, whole := l.walk(pg.ParentID)
		l.mu.Unlock()
		if !whole {
			pending = append(pending, pg)
			continue
		}
		p.Go(func(ctx context.Context) error { return l.container(ctx, pageItem(pg), above) })
	}
	return pending, nil
}

// nodeOf is a node of the tree, or a folder the bulk pass returned; the
// caller holds l.mu.
func (l *listing) nodeOf(id string) (node, bool) {
	if n, ok := l.tree[id]; ok {
		return n, true
	}
	h, ok := l.folderHits[id]
	if !ok {
		return node{}, false
	}
	parent := ""
	if n := len(h.Ancestors); n > 0 {
		parent = h.Ancestors[n-1].ID
	}
	return node{typ: proto.TypeFolder, parentID: parent, title: h.Title}, true
}

// prepare reads the space's tree, runs the bulk pass and finds its
// folders (publishing them when asked).
func (l *listing) prepare(ctx context.Context, publishFolders bool) error {
	if err := l.loadTree(ctx); err != nil {
		return err
	}
	if err := l.scan(ctx); err != nil {
		return err
	}
	return l.loadFolders(ctx, publishFolders)
}

// loadTree lists the space's pages without bodies: ids and parents.
func (l *listing) loadTree(ctx context.Context) error {
	for pg, err := range l.s.d.Client.SpacePages(ctx, l.sp.SpaceID, confluence.ListQuery{
		BodyFormat: "none", Status: l.statuses(), Limit: ListLimit}) {
		if err != nil {
			return fmt.Errorf("list page tree: %w", err)
		}
		l.tree[pg.ID] = node{typ: proto.TypePage, parentID: pg.ParentID, title: pg.Title}
	}
	return nil
}

// loadFolders finds the space's folders, which page lists never contain:
// those the bulk pass returned, and the parents of pages and folders that
// are not pages, each of which the bulk pass did not return (not yet
// indexed, or archived) is fetched once. Each folder is published as an
// item when asked.
func (l *listing) loadFolders(ctx context.Context, publish bool) error {
	want := map[string]bool{}
	for id := range l.folderHits {
		want[id] = true
	}
	l.mu.Lock()
	for _, n := range l.tree {
		if n.parentID != "" {
			want[n.parentID] = true
		}
	}
	l.mu.Unlock()
	var folders []item
	for len(want) > 0 {
		next := map[string]bool{}
		for id := range want {
			l.mu.Lock()
			_, known := l.tree[id]
			l.mu.Unlock()
			if known {
				continue
			}
			f, ok, err := l.folder(ctx, id)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			l.mu.Lock()
			l.tree[id] = node{typ: proto.TypeFolder, parentID: f.msg.ParentID, title: f.msg.Title}
			l.mu.Unlock()
			folders = append(folders, f)
			if f.msg.ParentID != "" {
				next[f.msg.ParentID] = true
			}
		}
		want = next
	}
	if !publish {
		return nil
	}
	for _, f := range folders {
		above := l.ancestors(f.msg.ParentID)
		if !l.folderInScope(f, above) {
			continue
		}
		if err := l.publish(ctx, f, above); err != nil {
			return err
		}
	}
	return nil
}

// folder is one folder of the space: from the bulk pass, else from its
// own route. ok is false for a folder gone, elsewhere or not wanted.
func (l *listing) folder(ctx context.Context, id string) (item, bool, error) {
	if h, hit := l.folderHits[id]; hit {
		return folderFromHit(h), true, nil
	}
	l.fallbacks.Add(1)
	f, err := l.s.d.Client.Folder(ctx, id)
	if errors.Is(err, confluence.ErrNotFound) {
		return item{}, false, nil // gone, or a parent we may not see
	}
	if err != nil {
		return item{}, false, fmt.Errorf("get folder %s: %w", id, err)
	}
	if f.SpaceID != "" && f.SpaceID != l.sp.SpaceID || !l.wantStatus(f.Status) {
		return item{}, false, nil
	}
	return folderItem(f), true, nil
}

// searchOptions: CQL leaves archived spaces out unless asked.
func (l *listing) searchOptions(expand ...string) confluence.SearchOptions {
	return confluence.SearchOptions{Expand: expand, IncludeArchivedSpaces: l.sp.Status == "archived"}
}

func (l *listing) wantStatus(status string) bool { return slices.Contains(l.statuses(), status) }

// ancestors walks the tree from a parent to the root and returns the path
// root first, folders included; it stops at a parent it does not know (one
// we may not see, or archived and not crawled).
func (l *listing) ancestors(parentID string) []proto.Ancestor {
	l.mu.Lock()
	defer l.mu.Unlock()
	path, _ := l.walk(parentID)
	return path
}

// walk is ancestors for a caller that holds l.mu; whole reports whether
// it reached the root.
func (l *listing) walk(parentID string) (path []proto.Ancestor, whole bool) {
	id := parentID
	for id != "" && len(path) < 1000 {
		n, ok := l.nodeOf(id)
		if !ok {
			break
		}
		path = append(path, proto.Ancestor{ID: id, Type: n.typ, Title: n.title})
		id = n.parentID
	}
	slices.Reverse(path)
	return path, id == ""
}

// container publishes a page or blog post with its labels and the path
// above it, then (without site-wide lists) its attachments and comments.
func (l *listing) container(ctx context.Context, it item, above []proto.Ancestor) error {
	if !l.inScope(it.msg.ID, it.msg.Type, above) {
		l.excludeContainer(it.msg.ID)
		return nil
	}
	labels, err := l.labels(ctx, it)
	if err != nil {
		return err
	}
	if !l.scope.labelled(labels) {
		l.excludeContainer(it.msg.ID)
		return nil
	}
	it.msg.Labels, it.msg.LabelsKnown = labels, true
	if err := l.publish(ctx, it, above); err != nil {
		return err
	}
	l.mu.Lock()
	l.containers[it.msg.ID] = it.msg.Type
	l.titles[it.msg.ID] = it.msg.Title
	l.mu.Unlock()
	if l.sp.Sitewide {
		return nil // comments and attachments come from the site-wide lists
	}
	path := append(slices.Clone(above), proto.Ancestor{ID: it.msg.ID, Type: it.msg.Type, Title: it.msg.Title})
	if l.scope.typeIndexed(proto.TypeAttachment) {
		if err := l.attachmentsOf(ctx, it, path); err != nil {
			return err
		}
	}
	if !l.scope.typeIndexed(proto.TypeComment) {
		return nil
	}
	return l.commentsOf(ctx, it, path)
}

// labels are the item's labels: from the bulk pass, else from the
// item's own route.
func (l *listing) labels(ctx context.Context, it item) ([]string, error) {
	if labels, ok := l.knownLabels(it.msg.ID); ok {
		return labels, nil
	}
	l.fallbacks.Add(1)
	var out []string
	for lb, err := range l.s.d.Client.Labels(ctx, it.kind, it.msg.ID) {
		if err != nil {
			return nil, fmt.Errorf("labels of %s %s: %w", it.msg.Type, it.msg.ID, err)
		}
		out = append(out, lb.Name)
	}
	return out, nil
}

func (l *listing) attachmentsOf(ctx context.Context, it item, path []proto.Ancestor) error {
	for a, err := range l.s.d.Client.Attachments(ctx, it.kind, it.msg.ID) {
		if err != nil {
			return fmt.Errorf("attachments of %s %s: %w", it.msg.Type, it.msg.ID, err)
		}
		if a.Status != "" && a.Status != "current" {
			continue
		}
		if err := l.publishAttachment(ctx, attachmentMsg(a, it, path)); err != nil {
			return err
		}
	}
	return nil
}

// publishAttachment sends one attachment to the downloader.
func (l *listing) publishAttachment(ctx context.Context, msg *proto.AttachmentFound) error {
	if l.ruled(proto.TypeAttachment, msg.UpdatedAt, msg.MediaType) {
		return nil
	}
	l.fill(&msg.CrawlID, &msg.Kind, &msg.SpaceID, &msg.SpaceKey)
	msg.Restrictions = l.restrictions(msg.Ancestors, "")
	subj := l.s.Sub.Attachment(l.sp.SpaceID, msg.ID)
	if err := l.s.Pub.Publish(ctx, subj, msg, proto.MsgID("attachment", msg.ID, msg.Version, l.sp.CrawlID)); err != nil {
		return fmt.Errorf("publish attachment %s: %w", msg.ID, err)
	}
	l.attachments.Add(1)
	return nil
}

func (l *listing) commentsOf(ctx context.Context, it item, path []proto.Ancestor) error {
	for _, kind := range []string{"footer", "inline"} {
		list := l.s.d.Client.FooterComments
		if kind == "inline" {
			list = l.s.d.Client.InlineComments
		}
		for c, err := range list(ctx, it.kind, it.msg.ID) {
			if err != nil {
				return fmt.Errorf("%s comments of %s %s: %w", kind, it.msg.Type, it.msg.ID, err)
			}
			if err := l.comment(ctx, kind, c, it, path, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// comment publishes a comment and, depth first, its replies.
func (l *listing) comment(ctx context.Context, kind string, c confluence.Comment, it item, path []proto.Ancestor, depth int) error {
	if c.Status != "" && c.Status != "current" {
		return nil
	}
	if err := l.publish(ctx, commentItem(c, it), path); err != nil {
		return err
	}
	if depth > 50 {
		return nil
	}
	for r, err := range l.s.d.Client.CommentChildren(ctx, kind, c.ID) {
		if err != nil {
			return fmt.Errorf("replies to comment %s: %w", c.ID, err)
		}
		if err := l.comment(ctx, kind, r, it, path, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// fill sets the fields every message of this listing shares.
func (l *listing) fill(crawl *string, kind *proto.CrawlKind, spaceID, spaceKey *string) {
	*crawl, *kind, *spaceID, *spaceKey = l.sp.CrawlID, l.sp.Kind, l.sp.SpaceID, l.sp.SpaceKey
}

// publish sends one content item.
func (l *listing) publish(ctx context.Context, it item, ancestors []proto.Ancestor) error {
	msg := it.msg
	if l.ruled(msg.Type, msg.UpdatedAt, "") {
		return nil
	}
	l.fill(&msg.CrawlID, &msg.Kind, &msg.SpaceID, &msg.SpaceKey)
	if ancestors != nil {
		msg.Ancestors = ancestors
	}
	msg.Restrictions = l.restrictions(msg.Ancestors, msg.ID)
	subj := l.s.Sub.Content(l.sp.SpaceID, msg.ID)
	if err := l.s.Pub.Publish(ctx, subj, &msg, proto.MsgID("content", msg.ID, msg.Version, l.sp.CrawlID)); err != nil {
		return fmt.Errorf("publish %s %s: %w", msg.Type, msg.ID, err)
	}
	l.items.Add(1)
	return nil
}
