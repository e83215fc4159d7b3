package enumerator

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/items"
	"github.com/conflux-dev/conflux/proto"
)

// sitewideChunk is how many rows of the site-wide lists are held at once
// before their containers are looked up and they are published.
const sitewideChunk = 1000

// useSitewide says whether a crawl reads comments and attachments from
// the site-wide v2 lists (one read of each list per crawl, 250 rows a
// call) rather than per container. The site-wide lists carry every
// space's rows, so they pay off when the crawl covers most of the site:
// at least half of its spaces. A crawl of a few spaces of a large site
// reads only what those spaces hold.
func useSitewide(inScope, total int) bool { return inScope > 0 && inScope*2 >= total }

// sitewide is one crawl's read of the site-wide lists: each comment and
// attachment whose container is in one of the crawl's spaces is published
// on Subjects.Sitewide for that space's fetcher. since (non-zero) reads
// newest first and stops at rows older than it.
type sitewide struct {
	s      *Service
	crawl  string
	since  time.Time
	spaces map[string]bool            // the crawl's space ids
	where  map[string]string          // container id → space id ("" for out of scope)
	parent map[string]items.Container // comment id → its container, for replies
	orphan []confluence.Comment       // replies whose container is not yet known
	rows   []confluence.Comment       // comments of the current chunk
	atts   []confluence.Attachment    // attachments of the current chunk
	counts struct{ comments, attachments int }
	log    *slog.Logger
}

func (s *Service) newSitewide(crawlID string, spaces []confluence.Space, since time.Time, log *slog.Logger) *sitewide {
	w := &sitewide{s: s, crawl: crawlID, since: since, spaces: map[string]bool{}, where: map[string]string{},
		parent: map[string]items.Container{}, log: log}
	for _, sp := range spaces {
		w.spaces[sp.ID] = true
	}
	return w
}

// run reads the footer and inline comment lists and the attachment list
// at once (each list's pages one after another, up to sitewideBuffer rows
// ahead), handling their rows in one loop as they come: read one list
// after another, the three cost the crawl's start the sum of their calls'
// latencies instead of the longest list's.
func (w *sitewide) run(ctx context.Context) error {
	sort := ""
	if !w.since.IsZero() {
		sort = "-modified-date"
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the readers when a row fails
	rows := make(chan sitewideRow, sitewideBuffer)
	var readers sync.WaitGroup
	rules := w.s.d.Config.Rules
	if rules.HasType(config.TypeComment) { // rules.types may leave comments out: no need to read them
		for _, kind := range []string{confluence.FooterComment, confluence.InlineComment} {
			readers.Go(func() { w.readComments(ctx, kind, sort, rows) })
		}
	}
	if rules.HasType(config.TypeAttachment) {
		readers.Go(func() { w.readAttachments(ctx, sort, rows) })
	}
	go func() { readers.Wait(); close(rows) }()
	for r := range rows {
		if err := w.add(ctx, r); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	w.rows, w.orphan = w.orphan, nil // replies listed before their parents
	if err := w.flush(ctx); err != nil {
		return err
	}
	if len(w.orphan) > 0 {
		w.log.Warn("replies without a known container are left out", "count", len(w.orphan))
	}
	w.log.Info("site-wide lists read", "comments", w.counts.comments, "attachments", w.counts.attachments)
	return nil
}

// sitewideBuffer is how many rows the site-wide readers hold ahead of
// the loop that handles them: one page.
const sitewideBuffer = 250

// sitewideRow is one row of a site-wide list, or the error that ended it.
type sitewideRow struct {
	comment    *confluence.Comment
	attachment *confluence.Attachment
	err        error
}

// add handles one row.
func (w *sitewide) add(ctx context.Context, r sitewideRow) error {
	switch {
	case r.err != nil:
		return r.err
	case r.comment != nil:
		return w.addComment(ctx, *r.comment)
	default:
		return w.addAttachment(ctx, *r.attachment)
	}
}

// readComments sends the rows of one site-wide comment list to out, down
// to the first row older than since.
func (w *sitewide) readComments(ctx context.Context, kind, sort string, out chan<- sitewideRow) {
	for c, err := range w.s.d.Client.SiteComments(ctx, kind, sort) {
		if err == nil && w.older(c.Version.CreatedAt) {
			return
		}
		if !send(ctx, out, sitewideRow{comment: &c, err: err}) || err != nil {
			return
		}
	}
}

// readAttachments sends the rows of the site-wide attachment list to
// out, down to the first row older than since.
func (w *sitewide) readAttachments(ctx context.Context, sort string, out chan<- sitewideRow) {
	for a, err := range w.s.d.Client.SiteAttachments(ctx, sort) {
		if err == nil && w.older(a.Version.CreatedAt) {
			return
		}
		if !send(ctx, out, sitewideRow{attachment: &a, err: err}) || err != nil {
			return
		}
	}
}

// send hands r to out unless ctx ends first.
func send(ctx context.Context, out chan<- sitewideRow, r sitewideRow) bool {
	select {
	case out <- r:
		return true
	case <-ctx.Done():
		return false
	}
}

func (w *sitewide) older(t time.Time) bool {
	return !w.since.IsZero() && !t.IsZero() && t.Before(w.since)
}

func (w *sitewide) addComment(ctx context.Context, c confluence.Comment) error {
	if current(c.Status) {
		w.rows = append(w.rows, c)
	}
	return w.flushFull(ctx)
}

func (w *sitewide) addAttachment(ctx context.Context, a confluence.Attachment) error {
	if current(a.Status) {
		w.atts = append(w.atts, a)
	}
	return w.flushFull(ctx)
}

// current: the lists name the status of every row; only current rows
// are documents.
func current(status string) bool { return status == "" || status == "current" }

// flushFull flushes a chunk that reached sitewideChunk rows.
func (w *sitewide) flushFull(ctx context.Context) error {
	if len(w.rows)+len(w.atts) < sitewideChunk {
		return nil
	}
	return w.flush(ctx)
}

// flush looks up the spaces of the chunk's containers and publishes its
// rows.
func (w *sitewide) flush(ctx context.Context) error {
	var containers []items.Container
	for _, c := range w.rows {
		if k := w.containerOf(c); k.ID != "" {
			containers = append(containers, k)
		}
	}
	for _, a := range w.atts {
		containers = append(containers, items.AttachmentContainer(a))
	}
	if err := w.locate(ctx, containers); err != nil {
		return err
	}
	for _, c := range w.rows {
		if err := w.publishComment(ctx, c); err != nil {
			return err
		}
	}
	for _, a := range w.atts {
		if err := w.publishAttachment(ctx, a); err != nil {
			return err
		}
	}
	w.rows, w.atts = w.rows[:0], w.atts[:0]
	return nil
}

// containerOf is a comment's page or blog post, through the comment it
// replies to when the API did not name it.
func (w *sitewide) containerOf(c confluence.Comment) items.Container {
	if k := items.ContainerOf(c); k.ID != "" {
		return k
	}
	return w.parent[c.ParentCommentID]
}

// locate finds the space of every container not seen yet, MaxIDs a call,
// up to locateConcurrency calls at once.
func (w *sitewide) locate(ctx context.Context, ks []items.Container) error {
	var pages, blogs []string
	for _, k := range ks {
		if _, seen := w.where[k.ID]; seen || k.ID == "" {
			continue
		}
		w.where[k.ID] = ""
		if k.Type == proto.TypeBlogPost {
			blogs = append(blogs, k.ID)
		} else {
			pages = append(pages, k.ID)
		}
	}
	var mu sync.Mutex
	found := func(id, space string) {
		mu.Lock()
		w.where[id] = space
		mu.Unlock()
	}
	p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(locateConcurrency)
	for batch := range slices.Chunk(pages, confluence.MaxIDs) {
		p.Go(func(ctx context.Context) error { return w.locatePages(ctx, batch, found) })
	}
	for batch := range slices.Chunk(blogs, confluence.MaxIDs) {
		p.Go(func(ctx context.Context) error { return w.locateBlogPosts(ctx, batch, found) })
	}
	return p.Wait()
}

// locateConcurrency bounds the container look-ups of one chunk of
// site-wide rows running at once.
const locateConcurrency = 4

func (w *sitewide) locatePages(ctx context.Context, ids []string, found func(id, space string)) error {
	q := confluence.ListQuery{BodyFormat: confluence.BodyNone, Status: []string{"current", "archived"}, Limit: confluence.MaxIDs}
	for p, err := range w.s.d.Client.PagesByID(ctx, ids, q) {
		if err != nil {
			return fmt.Errorf("find the spaces of %d pages: %w", len(ids), err)
		}
		found(p.ID, p.SpaceID)
	}
	return nil
}

func (w *sitewide) locateBlogPosts(ctx context.Context, ids []string, found func(id, space string)) error {
	q := confluence.ListQuery{BodyFormat: confluence.BodyNone, Status: []string{"current"}, Limit: confluence.MaxIDs}
	for b, err := range w.s.d.Client.BlogPostsByID(ctx, ids, q) {
		if err != nil {
			return fmt.Errorf("find the spaces of %d blog posts: %w", len(ids), err)
		}
		found(b.ID, b.SpaceID)
	}
	return nil
}

func (w *sitewide) publishComment(ctx context.Context, c confluence.Comment) error {
	k := w.containerOf(c)
	if k.ID == "" {
		w.orphan = append(w.orphan, c)
		return nil
	}
	w.parent[c.ID] = k
	space := w.where[k.ID]
	if !w.spaces[space] {
		return nil // on a page of a space the crawl does not cover
	}
	msg := items.Comment(c, k)
	msg.CrawlID, msg.SpaceID = w.crawl, space
	w.counts.comments++
	return w.publish(ctx, space, &msg, proto.MsgID("sitewide", c.ID, c.Version.Number, w.crawl))
}

func (w *sitewide) publishAttachment(ctx context.Context, a confluence.Attachment) error {
	k := items.AttachmentContainer(a)
	space := w.where[k.ID]
	if k.ID == "" || !w.spaces[space] {
		return nil
	}
	msg := items.Attachment(a, k)
	msg.CrawlID, msg.SpaceID = w.crawl, space
	w.counts.attachments++
	return w.publish(ctx, space, &msg, proto.MsgID("sitewide", a.ID, a.Version.Number, w.crawl))
}

func (w *sitewide) publish(ctx context.Context, space string, msg proto.Message, id string) error {
	if err := w.s.Pub.Publish(ctx, w.s.Sub.Sitewide(w.crawl, space), msg, id); err != nil {
		return fmt.Errorf("publish site-wide row: %w", err)
	}
	return nil
}
