package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
)

// Plan is what a full crawl under the configured rules would index, and
// what it would cost, counted from listings without bodies (see MakePlan).
type Plan struct {
	Spaces []SpacePlan `json:"spaces"`
	Total  Counts      `json:"total"`
	// Calls is the estimated API calls of a full crawl with permissions
	// (downloads apart); Downloads is one call per attachment downloaded.
	Calls     int `json:"calls"`
	Downloads int `json:"downloads"`
	// Rate is the request rate the duration assumes, per second;
	// Duration is (Calls + Downloads) / Rate.
	Rate     float64       `json:"rate"`
	Duration time.Duration `json:"duration_ns"`
	// Unmatched names the rules that matched nothing ("rules.page_trees:
	// 123 is not a page of a crawled space").
	Unmatched []string `json:"unmatched"`
	// PlanCalls is what making the plan cost.
	PlanCalls int `json:"plan_calls"`
}

// SpacePlan is one space of the plan.
type SpacePlan struct {
	Key    string `json:"key"`
	ID     string `json:"id"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Counts
}

// Counts are the documents of each type indexed, and attachment bytes
// (downloaded up to content.attachments.max_size each).
type Counts struct {
	Pages       int   `json:"pages"`
	BlogPosts   int   `json:"blog_posts"`
	Folders     int   `json:"folders"`
	Comments    int   `json:"comments"`
	Attachments int   `json:"attachments"`
	Bytes       int64 `json:"bytes"`
}

func (c *Counts) add(o Counts) {
	c.Pages += o.Pages
	c.BlogPosts += o.BlogPosts
	c.Folders += o.Folders
	c.Comments += o.Comments
	c.Attachments += o.Attachments
	c.Bytes += o.Bytes
}

// Documents is the number of documents.
func (c Counts) Documents() int {
	return c.Pages + c.BlogPosts + c.Folders + c.Comments + c.Attachments
}

// planner reads what the plan needs: per space the page and blog post
// lists without bodies (250 a call) and one CQL search with labels and
// paths (100 a call), and once the site-wide comment and attachment lists
// (250 a call). Nothing is written anywhere.
type planner struct {
	c     *confluence.Client
	cfg   config.Config
	since time.Time
	calls int
	// nodes are the pages, blog posts and folders of the crawled spaces.
	nodes   map[string]*planNode
	matched map[string]bool // CQL filter hits; nil without a filter
	seen    struct{ roots, labels, media map[string]bool }
	spaces  []*SpacePlan
	counts  map[string]*Counts // by space id
	sizes   struct{ pages, blogs, cql, comments, atts, groups int }
}

type planNode struct {
	typ, parent, space string
	updated            time.Time
	labels             []string
	cql                bool // the search returned it
}

// MakePlan counts what a full crawl under cfg's rules would index, calling
// Confluence through c (which counts nothing itself: the plan counts its
// own calls). rate is the request rate assumed for the duration.
func MakePlan(ctx context.Context, c *confluence.Client, cfg config.Config, rate float64) (Plan, error) {
	p := &planner{c: c, cfg: cfg, since: cfg.Rules.Since(time.Now()), nodes: map[string]*planNode{},
		counts: map[string]*Counts{}}
	p.seen.roots, p.seen.labels, p.seen.media = map[string]bool{}, map[string]bool{}, map[string]bool{}
	if strings.TrimSpace(cfg.Rules.CQL) != "" {
		p.matched = map[string]bool{}
	}
	total, err := p.listSpaces(ctx)
	if err != nil {
		return Plan{}, err
	}
	for _, sp := range p.spaces {
		if err := p.readSpace(ctx, sp); err != nil {
			return Plan{}, err
		}
	}
	if err := p.readSitewide(ctx); err != nil {
		return Plan{}, err
	}
	if err := p.readGroups(ctx); err != nil {
		return Plan{}, err
	}
	return p.result(total, rate), nil
}

// page counts a call each time a list moves to a new page of n rows.
func (p *planner) page(i, n int) {
	if i%n == 0 {
		p.calls++
	}
}

func (p *planner) listSpaces(ctx context.Context) (int, error) {
	total := 0
	for _, st := range p.cfg.SpaceStatusesCrawled() {
		i := 0
		for sp, err := range p.c.Spaces(ctx, confluence.SpaceQuery{Status: st}) {
			if err != nil {
				return 0, fmt.Errorf("list spaces: %w", err)
			}
			p.page(i, 250)
			i++
			total++
			if included(sp.Key, p.cfg.Spaces) && p.cfg.Rules.SpaceTypeAllowed(sp.Type) {
				p.spaces = append(p.spaces, &SpacePlan{Key: sp.Key, ID: sp.ID, Type: sp.Type, Status: sp.Status})
				p.counts[sp.ID] = &Counts{}
			}
		}
		if i == 0 {
			p.calls++
		}
	}
	return total, nil
}

// included applies spaces.include and spaces.exclude as the enumerator
// does.
func included(key string, s config.Spaces) bool {
	match := func(list []string) bool {
		return slices.ContainsFunc(list, func(k string) bool {
			if strings.HasPrefix(k, "~") {
				return k == key
			}
			return strings.EqualFold(k, key)
		})
	}
	return !match(s.Exclude) && (len(s.Include) == 0 || match(s.Include))
}

func (p *planner) statuses() []string {
	if p.cfg.Content.IncludeArchived {
		return []string{"current", "archived"}
	}
	return []string{"current"}
}

// readSpace lists a space's pages and blog posts without bodies and runs
// its CQL pass (and the filter's).
func (p *planner) readSpace(ctx context.Context, sp *SpacePlan) error {
	n := 0
	for pg, err := range p.c.SpacePages(ctx, sp.ID, confluence.ListQuery{BodyFormat: "none", Status: p.statuses(), Limit: 250}) {
		if err != nil {
			return fmt.Errorf("list pages of %s: %w", sp.Key, err)
		}
		p.page(n, 250)
		n++
		p.nodes[pg.ID] = &planNode{typ: "page", parent: pg.ParentID, space: sp.ID, updated: updated(pg.Version, pg.CreatedAt)}
	}
	p.sizes.pages += max(1, ceilDiv(n, 250))
	p.calls += b2i(n == 0)
	blogs := 0
	if p.cfg.Rules.HasType(config.TypeBlogPost) {
		for bp, err := range p.c.SpaceBlogPosts(ctx, sp.ID, confluence.ListQuery{BodyFormat: "none", Status: []string{"current"}, Limit: 250}) {
			if err != nil {
				return fmt.Errorf("list blog posts of %s: %w", sp.Key, err)
			}
			p.page(blogs, 250)
			blogs++
			p.nodes[bp.ID] = &planNode{typ: "blogpost", space: sp.ID, updated: updated(bp.Version, bp.CreatedAt)}
		}
		p.calls += b2i(blogs == 0)
		p.sizes.blogs += max(1, ceilDiv(blogs, 250))
	}
	return p.search(ctx, sp)
}

// search is the CQL pass: labels, folders and paths; then the filter.
func (p *planner) search(ctx context.Context, sp *SpacePlan) error {
	cql := "space = " + confluence.QuoteCQL(sp.Key) + " and type in (page, blogpost, folder)"
	opts := confluence.SearchOptions{Expand: []string{confluence.ExpandLabels, confluence.ExpandAncestors},
		IncludeArchivedSpaces: sp.Status == "archived"}
	hits := 0
	for r, err := range p.c.Search(ctx, cql, opts) {
		if err != nil {
			return fmt.Errorf("search %s: %w", sp.Key, err)
		}
		p.page(hits, 100)
		hits++
		p.learn(sp.ID, r.Content)
	}
	p.calls += b2i(hits == 0)
	p.sizes.cql += max(1, ceilDiv(hits, 100))
	if p.matched == nil {
		return nil
	}
	n := 0
	for r, err := range p.c.Search(ctx, cql+" and ("+p.cfg.Rules.CQL+")", confluence.SearchOptions{IncludeArchivedSpaces: opts.IncludeArchivedSpaces}) {
		if err != nil {
			return fmt.Errorf("search %s with rules.cql: %w", sp.Key, err)
		}
		p.page(n, 100)
		n++
		p.matched[r.Content.ID] = true
	}
	p.calls += b2i(n == 0)
	p.sizes.cql += max(1, ceilDiv(n, 100))
	return nil
}

func (p *planner) learn(space string, c confluence.SearchContent) {
	n, ok := p.nodes[c.ID]
	if !ok {
		if c.Type != "folder" {
			return // archived, or listed elsewhere
		}
		n = &planNode{typ: "folder", space: space, updated: c.Version.When}
		if k := len(c.Ancestors); k > 0 {
			n.parent = c.Ancestors[k-1].ID
		}
		p.nodes[c.ID] = n
	}
	n.cql = true
	if c.Metadata != nil && c.Metadata.Labels != nil {
		for _, l := range c.Metadata.Labels.Results {
			n.labels = append(n.labels, l.Name)
		}
	}
}

func updated(v confluence.Version, created time.Time) time.Time {
	if v.CreatedAt.IsZero() {
		return created
	}
	return v.CreatedAt
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readGroups counts the site's groups (200 a call): the crawl reads each
// group's members, one call or more per group.
func (p *planner) readGroups(ctx context.Context) error {
	n := 0
	for _, err := range p.c.Groups(ctx) {
		if err != nil {
			return fmt.Errorf("list groups: %w", err)
		}
		p.page(n, 200)
		n++
	}
	p.calls += b2i(n == 0)
	p.sizes.groups = n
	return nil
}
