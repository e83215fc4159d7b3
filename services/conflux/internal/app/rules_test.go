package app_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// ruleExpect derives, from the tenant alone, what a full crawl under the
// rules must hold: expected() narrowed by each rule, evaluated here on
// the tenant's own data (labels, paths, dates, media types, space types).
// filter stands for rules.cql, evaluated on the tenant item.
type ruleExpect struct {
	tn     *confluencesim.Tenant
	r      config.Rules
	filter func(c *confluencesim.Content) bool
}

func (e ruleExpect) want(all map[string]want) map[string]want {
	content := map[string]*confluencesim.Content{}
	for _, c := range e.tn.Content {
		content[c.ID] = c
	}
	atts := map[string]*confluencesim.Attachment{}
	for _, a := range e.tn.Attachments {
		atts[a.ID] = a
	}
	spaceType := map[string]string{}
	for _, s := range e.tn.Spaces {
		spaceType[s.ID] = s.Type
	}
	since := e.r.Since(time.Now())
	fresh := func(t time.Time) bool { return since.IsZero() || !t.Before(since) }
	// node: a page, blog post or folder in scope (type, tree, labels, filter).
	node := func(id string) bool {
		w, ok := all[id]
		if !ok || w.Type != "folder" && !e.r.HasType(w.Type) {
			return false
		}
		if len(e.r.PageTrees) > 0 && w.Type != "blogpost" && !slices.Contains(e.r.PageTrees, id) &&
			!slices.ContainsFunc(w.Ancestors, func(a string) bool { return slices.Contains(e.r.PageTrees, a) }) {
			return false
		}
		if slices.ContainsFunc(w.Labels, func(l string) bool { return slices.Contains(e.r.Labels.Exclude, l) }) {
			return false
		}
		if len(e.r.Labels.Include) > 0 && !slices.ContainsFunc(w.Labels, func(l string) bool { return slices.Contains(e.r.Labels.Include, l) }) {
			return false
		}
		return e.filter == nil || e.filter(content[id])
	}
	out := map[string]want{}
	for id, w := range all {
		if !e.r.SpaceTypeAllowed(spaceType[w.SpaceID]) {
			continue
		}
		keep := false
		switch w.Type {
		case "comment":
			keep = e.r.HasType("comment") && node(w.Container) && fresh(content[id].UpdatedAt)
		case "attachment":
			a := atts[id]
			keep = e.r.HasType("attachment") && node(w.Container) && fresh(a.UpdatedAt) && e.r.MediaTypeAllowed(a.MediaType)
		case "folder":
			keep = e.r.FoldersAsDocuments && node(id) && fresh(content[id].UpdatedAt)
		default:
			keep = node(id) && fresh(content[id].UpdatedAt)
		}
		if keep {
			out[id] = w
		}
	}
	return out
}

// ruleTenant is the tenant of the rule tests: deep trees with folders,
// restrictions on several levels, labels, attachments of several types.
func ruleTenant() *confluencesim.Tenant {
	size := tenantSize
	size.AttachmentsPerPage = 0.5
	return confluencesim.Generate(31, size)
}

// treeRoot is a current page with at least min descendants.
func treeRoot(t *testing.T, tn *confluencesim.Tenant, min int) string {
	all := expected(tn, false)
	below := map[string]int{}
	for _, w := range all {
		if w.Type == "page" || w.Type == "folder" {
			for _, a := range w.Ancestors {
				below[a]++
			}
		}
	}
	var best string
	for id, n := range below {
		if all[id].Type == "page" && n >= min && (best == "" || id < best) {
			best = id
		}
	}
	if best == "" {
		t.Fatalf("no page with %d descendants", min)
	}
	return best
}

// commonLabel is the label most pages and blog posts carry.
func commonLabel(tn *confluencesim.Tenant) string {
	n := map[string]int{}
	for _, c := range tn.Content {
		if c.Type == "page" || c.Type == "blogpost" {
			for _, l := range c.Labels {
				n[l]++
			}
		}
	}
	best := ""
	for l, k := range n {
		if best == "" || k > n[best] || k == n[best] && l < best {
			best = l
		}
	}
	return best
}

// medianUpdate is the median last modification of the tenant's content.
func medianUpdate(tn *confluencesim.Tenant) time.Time {
	var ts []time.Time
	for _, c := range tn.Content {
		ts = append(ts, c.UpdatedAt)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts[len(ts)/2].UTC().Truncate(24 * time.Hour)
}

// TestRules crawls the tenant under each rule (and two combinations) and
// compares the sink with the subset derived from the tenant, document by
// document and ACL by ACL.
func TestRules(t *testing.T) {
	tn := ruleTenant()
	root := treeRoot(t, tn, 4)
	label := commonLabel(tn)
	mid := medianUpdate(tn)
	hasLabel := func(l string) func(*confluencesim.Content) bool {
		return func(c *confluencesim.Content) bool { return c != nil && slices.Contains(c.Labels, l) }
	}
	cases := []struct {
		name   string
		edit   func(r *config.Rules, c *config.Config)
		filter func(*confluencesim.Content) bool
	}{
		{"space_types", func(r *config.Rules, _ *config.Config) { r.SpaceTypes = []string{"personal"} }, nil},
		{"page_trees", func(r *config.Rules, _ *config.Config) { r.PageTrees = []string{root} }, nil},
		{"labels.include", func(r *config.Rules, _ *config.Config) { r.Labels.Include = []string{label} }, nil},
		{"labels.exclude", func(r *config.Rules, _ *config.Config) { r.Labels.Exclude = []string{label} }, nil},
		{"types and folders", func(r *config.Rules, _ *config.Config) {
			r.Types = []string{"page", "attachment"}
			r.FoldersAsDocuments = false
		}, nil},
		{"modified_after", func(r *config.Rules, _ *config.Config) { r.ModifiedAfter = config.Date(mid.Unix()) }, nil},
		{"media_types", func(r *config.Rules, _ *config.Config) {
			r.Attachments.MediaTypes = []string{"image/*", "application/pdf"}
		}, nil},
		{"cql", func(r *config.Rules, _ *config.Config) { r.CQL = `label = "` + label + `"` }, hasLabel(label)},
		{"tree, labels and date", func(r *config.Rules, _ *config.Config) {
			r.PageTrees = []string{root}
			r.Labels.Exclude = []string{label}
			r.ModifiedAfter = config.Date(mid.Unix())
		}, nil},
		{"cql, types and sitewide off", func(r *config.Rules, c *config.Config) {
			r.CQL = `label = "` + label + `" or type = folder`
			r.Types = []string{"page", "comment"}
			c.Spaces.Include = []string{tn.Spaces[0].Key} // a few spaces: comments per container
		}, func(c *confluencesim.Content) bool {
			return c != nil && (slices.Contains(c.Labels, label) || c.Type == "folder")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, tn.Clone(), confluencesim.Options{}, func(c *config.Config) { tc.edit(&c.Rules, c) })
			requireOK(t, h.crawl(proto.CrawlFull, false))
			all := expected(h.sim.Tenant(), false)
			if inc := h.cfg.Spaces.Include; len(inc) > 0 {
				for id, w := range all {
					if !slices.Contains(inc, w.SpaceKey) {
						delete(all, id)
					}
				}
			}
			exp := ruleExpect{tn: h.sim.Tenant(), r: h.cfg.Rules, filter: tc.filter}.want(all)
			if len(exp) == 0 || len(exp) == len(all) {
				t.Fatalf("the rule keeps %d of %d documents: the test proves nothing", len(exp), len(all))
			}
			checkSinkHolds(t, h, h.sim.Tenant(), exp)
			t.Logf("%d of %d documents kept", len(exp), len(all))
		})
	}
}

// TestRulesKeepInheritedRestrictions: pages kept under an ancestor a rule
// leaves out still inherit its read restriction.
func TestRulesKeepInheritedRestrictions(t *testing.T) {
	tn := ruleTenant()
	all := expected(tn, false)
	content := map[string]*confluencesim.Content{}
	for _, c := range tn.Content {
		content[c.ID] = c
	}
	// Exclude by label every restricted page that has a page below it.
	var excluded []string
	h := start(t, tn, confluencesim.Options{}, func(c *config.Config) { c.Rules.Labels.Exclude = []string{"hidden-by-rule"} })
	h.sim.Mutate(func(tn *confluencesim.Tenant) {
		for _, c := range tn.Content {
			if c.Type == "page" && len(c.Restrictions.ReadUsers)+len(c.Restrictions.ReadGroups) > 0 {
				c.Labels = append(c.Labels, "hidden-by-rule")
				excluded = append(excluded, c.ID)
			}
		}
	})
	requireOK(t, h.crawl(proto.CrawlFull, false))
	exp := ruleExpect{tn: h.sim.Tenant(), r: h.cfg.Rules}.want(expected(h.sim.Tenant(), false))
	under := 0
	for _, w := range exp {
		if slices.ContainsFunc(w.Ancestors, func(a string) bool { return slices.Contains(excluded, a) }) {
			under++
		}
	}
	if under == 0 {
		t.Fatalf("no kept document under an excluded restricted page (%d excluded of %d)", len(excluded), len(all))
	}
	checkSinkHolds(t, h, h.sim.Tenant(), exp)
	t.Logf("%d documents kept under %d excluded restricted pages, ACLs as the reference says", under, len(excluded))
}

// TestRuleChangeRemovesExactlyTheNewlyExcluded crawls without rules,
// then with a label excluded: the second full crawl deletes exactly the
// documents the rule now leaves out (within sink.max_delete_share, so
// without --force), and an incremental crawl after edits publishes
// nothing the rule leaves out.
func TestRuleChangeRemovesExactlyTheNewlyExcluded(t *testing.T) {
	tn := ruleTenant()
	h := start(t, tn, confluencesim.Options{}, nil)
	requireOK(t, h.crawl(proto.CrawlFull, false))
	checkSink(t, h, h.sim.Tenant())
	before := h.documents()

	label := commonLabel(tn)
	cfg := h.cfg
	cfg.Rules.Labels.Exclude = []string{label}
	h.close()
	h = launch(t, h.sim, cfg, h.searchLag)
	t.Cleanup(h.close)
	requireOK(t, h.crawl(proto.CrawlFull, false))
	exp := ruleExpect{tn: h.sim.Tenant(), r: h.cfg.Rules}.want(expected(h.sim.Tenant(), false))
	checkSinkHolds(t, h, h.sim.Tenant(), exp)
	after := h.documents()
	removed := 0
	for id := range before {
		_, kept := after[id]
		_, want := exp[id]
		if kept != want {
			t.Errorf("document %s: kept %v, rule says %v", id, kept, want)
		}
		if !kept {
			removed++
		}
	}
	if removed == 0 {
		t.Fatal("the rule removed nothing: the test proves nothing")
	}
	t.Logf("the rule change removed %d of %d documents", removed, len(before))

	// Edits after the change: an incremental crawl publishes only what
	// the rule keeps.
	var in, out string
	for _, c := range currentOf(h.sim.Tenant(), "page") {
		switch {
		case slices.Contains(c.Labels, label) && out == "":
			out = c.ID
		case !slices.Contains(c.Labels, label) && in == "":
			if _, ok := exp[c.ID]; ok {
				in = c.ID
			}
		}
	}
	for _, id := range []string{in, out} {
		if err := h.sim.EditPage(id, "<p>edited after the rule change</p>"); err != nil {
			t.Fatal(err)
		}
	}
	requireOK(t, h.crawl(proto.CrawlIncremental, false))
	exp = ruleExpect{tn: h.sim.Tenant(), r: h.cfg.Rules}.want(expected(h.sim.Tenant(), false))
	checkSinkHolds(t, h, h.sim.Tenant(), exp)
}

// TestPlanCountsWhatTheCrawlIndexes: the plan's counts, per space and
// type, are what the crawl under the same rules then writes, and its call
// estimate is near the crawl's calls.
func TestPlanCountsWhatTheCrawlIndexes(t *testing.T) {
	tn := ruleTenant()
	root := treeRoot(t, tn, 4)
	for _, tc := range []struct {
		name string
		edit func(r *config.Rules)
	}{
		{"no rules", func(*config.Rules) {}},
		{"labels, media types and a tree", func(r *config.Rules) {
			r.Labels.Exclude = []string{commonLabel(tn)}
			r.Attachments.MediaTypes = []string{"image/*", "application/pdf"}
			r.PageTrees = []string{root, "999999999"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Expansions capped as Confluence documents them (labels 50,
			// restrictions 100): the estimate does not foresee per-item
			// fallbacks.
			opts := confluencesim.Options{ExpandLabelLimit: 50, ExpandRestrictionLimit: 100}
			h := start(t, tn.Clone(), opts, func(c *config.Config) { tc.edit(&c.Rules) })
			c, err := h.app.Client(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			plan, err := app.MakePlan(context.Background(), c, h.cfg, 10)
			if err != nil {
				t.Fatal(err)
			}
			before := h.sim.Counters()
			res := h.crawl(proto.CrawlFull, false)
			requireOK(t, res)
			crawlCalls := h.callsSince(before)
			got := map[string]*app.Counts{}
			for _, d := range h.documents() {
				if got[d.SpaceKey] == nil {
					got[d.SpaceKey] = &app.Counts{}
				}
				c := got[d.SpaceKey]
				switch d.Type {
				case "page":
					c.Pages++
				case "blogpost":
					c.BlogPosts++
				case "folder":
					c.Folders++
				case "comment":
					c.Comments++
				case "attachment":
					c.Attachments++
					c.Bytes += d.Attachment.Size
				}
			}
			for _, s := range plan.Spaces {
				w := app.Counts{}
				if got[s.Key] != nil {
					w = *got[s.Key]
				}
				if s.Counts != w {
					t.Errorf("space %s: plan %+v, crawl wrote %+v", s.Key, s.Counts, w)
				}
			}
			if tc.name != "no rules" && !slices.ContainsFunc(plan.Unmatched, func(u string) bool { return strings.Contains(u, "999999999") }) {
				t.Errorf("unmatched %v does not name the missing tree root", plan.Unmatched)
			}
			ratio := float64(plan.Calls) / float64(crawlCalls.api)
			t.Logf("plan: %d documents, %d calls estimated (+%d downloads); the crawl made %d calls (+%d downloads), ratio %.2f; unmatched %v",
				plan.Total.Documents(), plan.Calls, plan.Downloads, crawlCalls.api, crawlCalls.all-crawlCalls.api, ratio, plan.Unmatched)
			if ratio < 0.5 || ratio > 2 {
				t.Errorf("estimate %d calls is far from the crawl's %d", plan.Calls, crawlCalls.api)
			}
		})
	}
}
