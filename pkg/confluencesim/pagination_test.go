package confluencesim

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func bigTenant() *Tenant {
	return Generate(7, Size{Spaces: 4, PagesPerSpace: 40, BlogsPerSpace: 6, Users: 30, Groups: 4,
		CommentsPerPage: 2.5, AttachmentsPerPage: 2.5, AttachmentBytes: 2048})
}

// pick returns the item with the most entries in a count map.
func pick(counts map[string]int) string {
	best, n := "", -1
	for k, v := range counts {
		if v > n || (v == n && k < best) {
			best, n = k, v
		}
	}
	return best
}

func withParam(path, kv string) string {
	if strings.Contains(path, "?") {
		return path + "&" + kv
	}
	return path + "?" + kv
}

// TestPaginationV2 follows `_links.next` of every v2 list endpoint with a
// small limit and checks that every expected item comes exactly once, in
// the order of a single large page.
func TestPaginationV2(t *testing.T) {
	tn := bigTenant()
	s := start(t, tn, Options{})
	ix := newIndex(tn)

	var wantSpaces []string
	for _, sp := range tn.Spaces {
		wantSpaces = append(wantSpaces, sp.ID)
	}
	sp := tn.Spaces[0]
	var pages, blogs, allPages []string
	children := map[string]int{}
	pageKids := map[string][]string{}
	direct := map[string][]string{}
	for _, c := range tn.Content {
		listed := c.Status == "current" || c.Status == "archived"
		if c.Type == "page" && listed {
			allPages = append(allPages, c.ID)
		}
		if (c.Type == "page" || c.Type == "folder") && c.ParentID != "" && listed {
			children[c.ParentID]++
			direct[c.ParentID] = append(direct[c.ParentID], c.ID)
			if c.Type == "page" {
				pageKids[c.ParentID] = append(pageKids[c.ParentID], c.ID)
			}
		}
		if c.SpaceID != sp.ID {
			continue
		}
		switch {
		case c.Type == "page" && listed:
			pages = append(pages, c.ID)
		case c.Type == "blogpost" && c.Status == "current":
			blogs = append(blogs, c.ID)
		}
	}
	home := sp.HomepageID
	var folder string
	for _, c := range tn.Content {
		if c.Type == "folder" && c.Status == "current" && (folder == "" || children[c.ID] > children[folder]) {
			folder = c.ID
		}
	}
	// descendants of home to depth 5, from the ground truth.
	var desc []string
	level := []string{home}
	for d := 0; d < 5; d++ {
		var next []string
		for _, p := range level {
			next = append(next, direct[p]...)
		}
		desc = append(desc, next...)
		level = next
	}
	atts, labels, footer, inline, replies := map[string][]string{}, map[string][]string{}, map[string][]string{}, map[string][]string{}, map[string][]string{}
	for _, a := range tn.Attachments {
		if a.Status == "current" {
			atts[a.ContainerID] = append(atts[a.ContainerID], a.ID)
		}
	}
	for _, c := range tn.Content {
		if len(c.Labels) > 0 {
			for _, l := range c.Labels {
				labels[c.ID] = append(labels[c.ID], labelID(l))
			}
		}
		if c.Type == "comment" && c.Status == "current" {
			switch {
			case c.ParentCommentID != "":
				replies[c.ParentCommentID] = append(replies[c.ParentCommentID], c.ID)
			case c.CommentKind == "footer":
				footer[c.ContainerID] = append(footer[c.ContainerID], c.ID)
			default:
				inline[c.ContainerID] = append(inline[c.ContainerID], c.ID)
			}
		}
	}
	most := func(m map[string][]string, typ string) string {
		counts := map[string]int{}
		for k, v := range m {
			if c := ix.content[k]; c != nil && (typ == "" || c.Type == typ) && (c.Status == "current") {
				counts[k] = len(v)
			}
		}
		return pick(counts)
	}
	attPage, attBlog := most(atts, "page"), most(atts, "blogpost")
	footPage, inPage, footBlog := most(footer, "page"), most(inline, "page"), most(footer, "blogpost")
	replied := most(replies, "")
	labelled := most(labels, "page")
	var attLabelled string
	for _, a := range tn.Attachments {
		if len(a.Labels) > 0 && a.Status == "current" && ix.content[a.ContainerID].Status == "current" {
			attLabelled = a.ID
			break
		}
	}
	var perms []string
	for _, p := range sp.Permissions {
		perms = append(perms, p.ID)
	}
	kidCounts := map[string]int{}
	for k, v := range pageKids {
		if ix.content[k].Type == "page" {
			kidCounts[k] = len(v)
		}
	}
	bigParent := pick(kidCounts)

	cases := []struct {
		name, path string
		want       []string
	}{
		{"spaces", "/wiki/api/v2/spaces", wantSpaces},
		{"spaces sorted by -key", "/wiki/api/v2/spaces?sort=-key", wantSpaces},
		{"space pages", "/wiki/api/v2/spaces/" + sp.ID + "/pages?body-format=storage", pages},
		{"space pages by -modified-date", "/wiki/api/v2/spaces/" + sp.ID + "/pages?sort=-modified-date", pages},
		{"space pages by title", "/wiki/api/v2/spaces/" + sp.ID + "/pages?sort=title", pages},
		{"space blogposts", "/wiki/api/v2/spaces/" + sp.ID + "/blogposts", blogs},
		{"pages of a space", "/wiki/api/v2/pages?space-id=" + sp.ID, pages},
		{"all pages", "/wiki/api/v2/pages?sort=created-date", allPages},
		{"blogposts of a space", "/wiki/api/v2/blogposts?space-id=" + sp.ID, blogs},
		{"children", "/wiki/api/v2/pages/" + bigParent + "/children", pageKids[bigParent]},
		{"page direct-children", "/wiki/api/v2/pages/" + home + "/direct-children", direct[home]},
		{"folder direct-children", "/wiki/api/v2/folders/" + folder + "/direct-children", direct[folder]},
		{"descendants depth 5", "/wiki/api/v2/pages/" + home + "/descendants?depth=5", desc},
		{"folder descendants", "/wiki/api/v2/folders/" + folder + "/descendants", direct[folder]},
		{"page attachments", "/wiki/api/v2/pages/" + attPage + "/attachments", atts[attPage]},
		{"blogpost attachments", "/wiki/api/v2/blogposts/" + attBlog + "/attachments", atts[attBlog]},
		{"page labels", "/wiki/api/v2/pages/" + labelled + "/labels", labels[labelled]},
		{"page footer comments", "/wiki/api/v2/pages/" + footPage + "/footer-comments", footer[footPage]},
		{"page inline comments", "/wiki/api/v2/pages/" + inPage + "/inline-comments", inline[inPage]},
		{"blogpost footer comments", "/wiki/api/v2/blogposts/" + footBlog + "/footer-comments", footer[footBlog]},
		{"comment replies", "/wiki/api/v2/" + ix.content[replied].CommentKind + "-comments/" + replied + "/children", replies[replied]},
		{"space permissions", "/wiki/api/v2/spaces/" + sp.ID + "/permissions", perms},
	}
	if attLabelled != "" {
		var want []string
		for _, l := range ix.attachments[attLabelled].Labels {
			want = append(want, labelID(l))
		}
		cases = append(cases, struct {
			name, path string
			want       []string
		}{"attachment labels", "/wiki/api/v2/attachments/" + attLabelled + "/labels", want})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.want) < 2 && !strings.Contains(tc.name, "labels") {
				t.Fatalf("fixture too small: %d items", len(tc.want))
			}
			got := ids(walkV2(t, s, withParam(tc.path, "limit=2"), crawlerAuth))
			one := ids(results(mustGet(t, s.URL()+withParam(tc.path, "limit=250"), crawlerAuth)))
			if !slices.Equal(got, one) {
				t.Errorf("paged order differs from one page:\n paged %v\n  one  %v", got, one)
			}
			g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(g, w) {
				t.Errorf("items:\n got  %v\n want %v", g, w)
			}
		})
	}
}

func TestPaginationV2Limits(t *testing.T) {
	s := start(t, Demo(), Options{})
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"limit=0", 400}, {"limit=251", 400}, {"limit=abc", 400}, {"limit=1", 200}, {"limit=250", 200},
		{"cursor=garbage", 400}, {"sort=bogus", 400},
	} {
		if r := get(t, s.URL()+"/wiki/api/v2/spaces?"+tc.query, demoAuth); r.status != tc.status {
			t.Errorf("%s: %d, want %d (%s)", tc.query, r.status, tc.status, r.raw)
		}
	}
	// A cursor made for one sort is refused by another.
	r := mustGet(t, s.URL()+"/wiki/api/v2/spaces?limit=1&sort=key", demoAuth)
	next := links(r)["next"].(string)
	u, _ := url.Parse(next)
	if r := get(t, s.URL()+"/wiki/api/v2/spaces?sort=name&cursor="+url.QueryEscape(u.Query().Get("cursor")), demoAuth); r.status != 400 {
		t.Errorf("cursor of another sort: %d", r.status)
	}
	// The attachments default limit is 50, the others 25.
	tn := Generate(3, Size{Spaces: 1, PagesPerSpace: 60, AttachmentsPerPage: -1, CommentsPerPage: -1})
	s2 := start(t, tn, Options{})
	if n := len(results(mustGet(t, s2.URL()+"/wiki/api/v2/pages", crawlerAuth))); n != 25 {
		t.Errorf("default page size %d, want 25", n)
	}
}

func TestAncestorsNoCursor(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	pen := byTitle(t, tn, "Pen test results")
	r := mustGet(t, s.URL()+"/wiki/api/v2/pages/"+pen.ID+"/ancestors", demoAuth)
	want := []string{byTitle(t, tn, "Engineering Home").ID, byTitle(t, tn, "Architecture").ID, byTitle(t, tn, "Security review").ID}
	if got := ids(results(r)); !slices.Equal(got, want) {
		t.Fatalf("ancestors %v, want %v (root first)", got, want)
	}
	if _, ok := links(r)["next"]; ok {
		t.Fatal("ancestors carry no next link")
	}
	// With limit 1: the nearest ancestor; calling again with the first id
	// returned walks up to the root.
	var chain []string
	id := pen.ID
	for range 10 {
		res := results(mustGet(t, s.URL()+"/wiki/api/v2/pages/"+id+"/ancestors?limit=1", demoAuth))
		if len(res) == 0 {
			break
		}
		id = str(res[0]["id"])
		chain = append([]string{id}, chain...)
	}
	if !slices.Equal(chain, want) {
		t.Fatalf("walked ancestors %v, want %v", chain, want)
	}
	// Folder ancestors include folders; types as in the spec.
	pm := byTitle(t, tn, "Incident 2024-03 postmortem")
	res := results(mustGet(t, s.URL()+"/wiki/api/v2/pages/"+pm.ID+"/ancestors", demoAuth))
	var types []string
	for _, a := range res {
		types = append(types, str(a["type"]))
	}
	if !slices.Equal(types, []string{"page", "folder", "folder"}) {
		t.Fatalf("ancestor types %v", types)
	}
}

// TestPaginationV1 walks the v1 offset lists and the CQL cursor.
func TestPaginationV1(t *testing.T) {
	tn := bigTenant()
	s := start(t, tn, Options{SpaceShortPages: true})

	var groups []string
	for _, g := range tn.Groups {
		groups = append(groups, g.ID)
	}
	got := ids(walkV1(t, s, "/wiki/rest/api/group?limit=1", crawlerAuth))
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(groups))) {
		t.Errorf("groups %v, want %v", got, groups)
	}

	g := tn.Groups[0]
	for _, gr := range tn.Groups {
		if len(gr.Members) > len(g.Members) {
			g = gr
		}
	}
	var members []string
	for _, m := range walkV1(t, s, "/wiki/rest/api/group/"+g.ID+"/membersByGroupId?limit=3", crawlerAuth) {
		members = append(members, str(m["accountId"]))
	}
	if !slices.Equal(members, g.Members) {
		t.Errorf("members %v, want %v", members, g.Members)
	}

	var keys []string
	for _, sp := range walkV1(t, s, "/wiki/rest/api/space?limit=3", crawlerAuth) {
		keys = append(keys, str(sp["key"]))
	}
	if len(keys) != len(tn.Spaces) {
		t.Errorf("spaces %v", keys)
	}
	// The short-pages trap: a page shorter than limit that is not the end.
	r := mustGet(t, s.URL()+"/wiki/rest/api/space?limit=3", crawlerAuth)
	if n := len(results(r)); n >= 3 || links(r)["next"] == nil {
		t.Errorf("space page of %d with next %v: want a short page that is not the last", n, links(r)["next"])
	}
}

func TestSearchCursor(t *testing.T) {
	tn := bigTenant()
	s := start(t, tn, Options{})
	ix := newIndex(tn)
	var want []string
	for _, c := range tn.Content {
		if c.Type == "page" && c.Status == "current" && ix.spaces[c.SpaceID].Status == "current" {
			want = append(want, c.ID)
		}
	}
	cql := url.QueryEscape("type=page order by lastmodified asc")
	var got []string
	short := 0
	path := "/wiki/rest/api/search?limit=10&cql=" + cql
	for path != "" {
		r := mustGet(t, s.URL()+path, crawlerAuth)
		res := results(r)
		next, _ := links(r)["next"].(string)
		if next != "" && len(res) < 10 {
			short++
		}
		for _, x := range res {
			got = append(got, str(x["content"].(map[string]any)["id"]))
		}
		if next != "" {
			if !strings.HasPrefix(next, "/rest/api/search?") {
				t.Fatalf("next %q", next)
			}
			path = "/wiki" + next
		} else {
			path = ""
		}
	}
	if short == 0 {
		t.Error("no short page that is not the last")
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("search found %d, want %d", len(got), len(want))
	}
	// Sorted by lastmodified ascending.
	for i := 1; i < len(got); i++ {
		if ix.content[got[i]].UpdatedAt.Before(ix.content[got[i-1]].UpdatedAt) {
			t.Fatalf("not ordered by lastmodified at %d", i)
		}
	}
	// start is ignored.
	a := ids(contentOf(results(mustGet(t, s.URL()+"/wiki/rest/api/search?limit=5&start=5&cql="+cql, crawlerAuth))))
	b := ids(contentOf(results(mustGet(t, s.URL()+"/wiki/rest/api/search?limit=5&cql="+cql, crawlerAuth))))
	if !slices.Equal(a, b) {
		t.Errorf("start changed the answer: %v vs %v", a, b)
	}
}

func contentOf(res []map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(res))
	for _, r := range res {
		out = append(out, r["content"].(map[string]any))
	}
	return out
}
