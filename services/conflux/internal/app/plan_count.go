package app

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
)

// readSitewide reads the site-wide comment and attachment lists (when
// their type is indexed) and counts the rows on containers in scope.
func (p *planner) readSitewide(ctx context.Context) error {
	r := p.cfg.Rules
	if r.HasType(config.TypeComment) {
		parent := map[string]string{} // comment → its container or parent comment
		var replies []confluence.Comment
		for _, kind := range []string{confluence.FooterComment, confluence.InlineComment} {
			n := 0
			for c, err := range p.c.SiteComments(ctx, kind, "") {
				if err != nil {
					return fmt.Errorf("list %s comments: %w", kind, err)
				}
				p.page(n, 250)
				n++
				if c.Status != "" && c.Status != "current" {
					continue
				}
				if k := first(c.PageID, c.BlogPostID); k != "" {
					parent[c.ID] = k
					p.countComment(k, c)
				} else if c.ParentCommentID != "" {
					parent[c.ID] = c.ParentCommentID
					replies = append(replies, c)
				}
			}
			p.calls += b2i(n == 0)
			p.sizes.comments += max(1, ceilDiv(n, 250))
		}
		for _, c := range replies {
			id := c.ID
			for i := 0; i < 50 && parent[id] != "" && p.nodes[parent[id]] == nil; i++ {
				id = parent[id]
			}
			p.countComment(parent[id], c)
		}
	}
	if !r.HasType(config.TypeAttachment) {
		return nil
	}
	n := 0
	for a, err := range p.c.SiteAttachments(ctx, "") {
		if err != nil {
			return fmt.Errorf("list attachments: %w", err)
		}
		p.page(n, 250)
		n++
		if a.Status != "" && a.Status != "current" {
			continue
		}
		p.countAttachment(a)
	}
	p.calls += b2i(n == 0)
	p.sizes.atts += max(1, ceilDiv(n, 250))
	return nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (p *planner) countComment(container string, c confluence.Comment) {
	if n := p.nodes[container]; n != nil && p.inScope(container) && p.fresh(c.Version.CreatedAt) {
		p.counts[n.space].Comments++
	}
}

func (p *planner) countAttachment(a confluence.Attachment) {
	container := first(a.PageID, a.BlogPostID)
	n := p.nodes[container]
	if n == nil || !p.inScope(container) || !p.fresh(a.Version.CreatedAt) {
		return
	}
	for _, m := range p.cfg.Rules.Attachments.MediaTypes {
		if (config.Rules{Attachments: config.AttachmentRules{MediaTypes: []string{m}}}).MediaTypeAllowed(a.MediaType) {
			p.seen.media[m] = true
		}
	}
	if !p.cfg.Rules.MediaTypeAllowed(a.MediaType) {
		return
	}
	c := p.counts[n.space]
	c.Attachments++
	if limit := int64(p.cfg.Content.Attachments.MaxSize); limit == 0 || a.FileSize <= limit {
		c.Bytes += a.FileSize
	}
}

func (p *planner) fresh(t time.Time) bool { return p.since.IsZero() || !t.Before(p.since) }

// inScope is the fetcher's scope rule (type, page tree, CQL filter,
// labels) for a page, blog post or folder.
func (p *planner) inScope(id string) bool {
	n := p.nodes[id]
	r := p.cfg.Rules
	if n == nil || n.typ != "folder" && !r.HasType(n.typ) {
		return false
	}
	if len(r.PageTrees) > 0 && n.typ != "blogpost" && !p.inTree(id) {
		return false
	}
	if p.matched != nil && n.cql && !p.matched[id] {
		return false
	}
	for _, l := range n.labels {
		if slices.Contains(r.Labels.Exclude, l) {
			return false
		}
	}
	return len(r.Labels.Include) == 0 || slices.ContainsFunc(n.labels, func(l string) bool { return slices.Contains(r.Labels.Include, l) })
}

func (p *planner) inTree(id string) bool {
	for i := 0; id != "" && i < 1000; i++ {
		if slices.Contains(p.cfg.Rules.PageTrees, id) {
			p.seen.roots[id] = true
			return true
		}
		n := p.nodes[id]
		if n == nil {
			return false
		}
		id = n.parent
	}
	return false
}

// result counts the nodes, estimates the crawl and names the rules that
// matched nothing.
func (p *planner) result(totalSpaces int, rate float64) Plan {
	ids := make([]string, 0, len(p.nodes))
	for id := range p.nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := p.nodes[id]
		for _, l := range n.labels {
			p.seen.labels[l] = true
		}
		if !p.inScope(id) || !p.fresh(n.updated) {
			continue
		}
		c := p.counts[n.space]
		switch n.typ {
		case "page":
			c.Pages++
		case "blogpost":
			c.BlogPosts++
		case "folder":
			if p.cfg.Rules.FoldersAsDocuments {
				c.Folders++
			}
		}
	}
	plan := Plan{Rate: rate, PlanCalls: p.calls}
	for _, sp := range p.spaces {
		sp.Counts = *p.counts[sp.ID]
		plan.Spaces = append(plan.Spaces, *sp)
		plan.Total.add(sp.Counts)
	}
	plan.Calls, plan.Downloads = p.estimate(totalSpaces, plan.Total)
	if rate > 0 {
		plan.Duration = time.Duration(float64(plan.Calls+plan.Downloads) / rate * float64(time.Second))
	}
	plan.Unmatched = p.unmatched(plan)
	return plan
}

// estimate is the calls of a full crawl, as the stages make them: the
// space list; per space its pages and blog posts (250 a call), its CQL
// pass (100 a call) and filter, its permissions (at least one call);
// comments and attachments from the site-wide lists when the crawl covers
// at least half of the site's spaces, else about three calls per page
// and blog post; the group list, one member list per group, and the
// users (at least one call). Per-item fallbacks (capped expansions,
// items the search has not indexed) are not foreseen.
func (p *planner) estimate(totalSpaces int, t Counts) (calls, downloads int) {
	calls = max(1, ceilDiv(totalSpaces, 250)) + p.sizes.pages + p.sizes.blogs + p.sizes.cql + len(p.spaces) +
		max(1, ceilDiv(p.sizes.groups, 200)) + p.sizes.groups + 1
	sitewide := len(p.spaces) > 0 && len(p.spaces)*2 >= totalSpaces
	switch {
	case sitewide:
		calls += p.sizes.comments + p.sizes.atts + ceilDiv(t.Pages+t.BlogPosts, 250)
	default:
		per := b2i(p.cfg.Rules.HasType(config.TypeComment))*2 + b2i(p.cfg.Rules.HasType(config.TypeAttachment))
		calls += per * (t.Pages + t.BlogPosts)
	}
	return calls, t.Attachments
}

func (p *planner) unmatched(plan Plan) []string {
	r := p.cfg.Rules
	var out []string
	if len(r.SpaceTypes) > 0 && len(p.spaces) == 0 {
		out = append(out, fmt.Sprintf("rules.space_types %v: no crawled space has these types", r.SpaceTypes))
	}
	for _, id := range r.PageTrees {
		if !p.seen.roots[id] {
			out = append(out, fmt.Sprintf("rules.page_trees: %s is not a page or folder of a crawled space", id))
		}
	}
	for _, l := range append(slices.Clone(r.Labels.Include), r.Labels.Exclude...) {
		if !p.seen.labels[l] {
			out = append(out, fmt.Sprintf("rules.labels: no page, blog post or folder carries %q", l))
		}
	}
	for _, m := range r.Attachments.MediaTypes {
		if !p.seen.media[m] {
			out = append(out, fmt.Sprintf("rules.attachments.media_types: no attachment in scope is %s", m))
		}
	}
	if p.matched != nil && len(p.matched) == 0 {
		out = append(out, "rules.cql: the filter matched nothing")
	}
	if (r.ModifiedWithin > 0 || !r.ModifiedAfter.IsZero()) && plan.Total.Documents() == 0 {
		out = append(out, "rules.modified_after / modified_within: nothing was modified in that time")
	}
	return out
}
