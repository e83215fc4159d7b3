package confluencesim

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// wantComments lists the ids the site-wide comment list must return to
// the user with the given email ("" for the crawler account).
func wantComments(t *testing.T, tn *Tenant, kind, email string) []string {
	t.Helper()
	ix := newIndex(tn)
	who := caller{all: true}
	if email != "" {
		who = ix.callerFor(userByEmail(t, tn, email))
	}
	var out []string
	for _, c := range tn.Content {
		if c.Type == "comment" && c.CommentKind == kind && c.Status == "current" &&
			siteWideContainer(ix.container(c)) && ix.canView(who, c) {
			out = append(out, c.ID)
		}
	}
	sort.Strings(out)
	return out
}

func sorted(xs []string) []string {
	xs = slices.Clone(xs)
	sort.Strings(xs)
	return xs
}

func TestSiteWideComments(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	ix := newIndex(tn)
	for _, kind := range []string{"footer", "inline"} {
		path := "/wiki/api/v2/" + kind + "-comments"
		all := walkV2(t, s, path+"?limit=2&body-format=storage", demoAuth)
		want := wantComments(t, tn, kind, "")
		if got := sorted(ids(all)); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", kind, got, want)
		}
		replies := 0
		for _, m := range all {
			c := ix.content[str(m["id"])]
			k := ix.container(c)
			if m["pageId"] == nil && m["blogPostId"] == nil || (m["pageId"] != nil && m["pageId"] != k.ID) ||
				(m["blogPostId"] != nil && m["blogPostId"] != k.ID) {
				t.Errorf("%s comment %s names no or the wrong container: %v", kind, c.ID, m)
			}
			if c.ParentCommentID != "" {
				replies++
				if m["parentCommentId"] != c.ParentCommentID {
					t.Errorf("reply %s: parentCommentId %v", c.ID, m["parentCommentId"])
				}
			}
			if kind == "inline" && m["resolutionStatus"] == nil {
				t.Errorf("inline comment %s without resolutionStatus", c.ID)
			}
			if m["body"].(map[string]any)["storage"] == nil {
				t.Errorf("comment %s without the storage body", c.ID)
			}
		}
		if kind == "footer" && replies == 0 {
			t.Error("the demo's replies are missing from the site-wide footer list")
		}
		// A user who may see less gets less.
		bob := wantComments(t, tn, kind, "bob@example.com")
		if got := sorted(ids(walkV2(t, s, path, basic("bob@example.com", "bob-token")))); !slices.Equal(got, bob) {
			t.Errorf("%s for bob: %v, want %v", kind, got, bob)
		}
		// Newest first with the cursor, as a crawler reads down to a
		// checkpoint.
		desc := walkV2(t, s, path+"?limit=1&sort=-modified-date", demoAuth)
		if len(desc) != len(want) {
			t.Errorf("%s -modified-date: %d rows, want %d", kind, len(desc), len(want))
		}
		for i := 1; i < len(desc); i++ {
			a, b := ix.content[str(desc[i-1]["id"])], ix.content[str(desc[i]["id"])]
			if a.UpdatedAt.Before(b.UpdatedAt) {
				t.Errorf("%s -modified-date: %s before %s", kind, a.ID, b.ID)
			}
		}
		if r := get(t, s.URL()+path+"?body-format=view", demoAuth); r.status != 400 {
			t.Errorf("%s body-format=view: %d", kind, r.status)
		}
		// The single comment.
		one := mustGet(t, s.URL()+path+"/"+want[0]+"?body-format=view", demoAuth)
		if one.body["id"] != want[0] || one.body["body"].(map[string]any)["view"] == nil || links(one)["base"] != s.URL()+"/wiki" {
			t.Errorf("%s comment %s: %s", kind, want[0], one.raw)
		}
		other := "inline"
		if kind == "inline" {
			other = "footer"
		}
		if r := get(t, s.URL()+"/wiki/api/v2/"+other+"-comments/"+want[0], demoAuth); r.status != 404 {
			t.Errorf("%s comment as %s: %d", kind, other, r.status)
		}
	}
	// Counted by route template.
	hits := s.Counters().Endpoints
	for _, p := range []string{"GET /wiki/api/v2/footer-comments", "GET /wiki/api/v2/inline-comments",
		"GET /wiki/api/v2/footer-comments/{id}", "GET /wiki/api/v2/inline-comments/{id}"} {
		if hits[p] == 0 {
			t.Errorf("%s not counted: %v", p, hits)
		}
	}
}

func TestSiteWideAttachments(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	ix := newIndex(tn)
	var want []string
	for _, a := range tn.Attachments {
		if (a.Status == "current" || a.Status == "archived") && siteWideContainer(ix.content[a.ContainerID]) {
			want = append(want, a.ID)
		}
	}
	all := walkV2(t, s, "/wiki/api/v2/attachments?limit=1", demoAuth)
	if got := sorted(ids(all)); !slices.Equal(got, sorted(want)) {
		t.Errorf("attachments %v, want %v", got, sorted(want))
	}
	for _, m := range all {
		for _, f := range []string{"mediaType", "fileSize", "fileId", "downloadLink", "version", "_links"} {
			if m[f] == nil {
				t.Errorf("attachment %v without %s", m["id"], f)
			}
		}
		if m["pageId"] == nil && m["blogPostId"] == nil {
			t.Errorf("attachment %v names no container", m["id"])
		}
	}
	r := mustGet(t, s.URL()+"/wiki/api/v2/attachments", demoAuth)
	if len(results(r)) != min(50, len(want)) {
		t.Errorf("default limit: %d rows", len(results(r)))
	}
	mt := str(all[0]["mediaType"])
	for _, m := range walkV2(t, s, "/wiki/api/v2/attachments?mediaType="+url.QueryEscape(mt), demoAuth) {
		if m["mediaType"] != mt {
			t.Errorf("mediaType filter let %v through", m["mediaType"])
		}
	}
	desc := walkV2(t, s, "/wiki/api/v2/attachments?limit=1&sort=-modified-date", demoAuth)
	for i := 1; i < len(desc); i++ {
		if ix.attachment(str(desc[i-1]["id"])).UpdatedAt.Before(ix.attachment(str(desc[i]["id"])).UpdatedAt) {
			t.Errorf("-modified-date out of order at %d", i)
		}
	}
	for _, q := range []string{"?limit=251", "?status=draft", "?sort=title"} {
		if r := get(t, s.URL()+"/wiki/api/v2/attachments"+q, demoAuth); r.status != 400 {
			t.Errorf("%s: %d", q, r.status)
		}
	}
}

// TestContentIDList: /pages and /blogposts take up to 250 ids (spec
// maxItems) and up to 100 space ids.
func TestContentIDList(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	var pageIDs []string
	for _, c := range tn.Content {
		if c.Type == "page" && c.Status == "current" {
			pageIDs = append(pageIDs, c.ID)
		}
	}
	ids250 := slices.Clone(pageIDs)
	for i := 0; len(ids250) < 250; i++ {
		ids250 = append(ids250, strconv.Itoa(900000+i))
	}
	r := mustGet(t, s.URL()+"/wiki/api/v2/pages?limit=250&id="+strings.Join(ids250, ","), demoAuth)
	if len(results(r)) != len(pageIDs) {
		t.Errorf("250 ids: %d pages, want %d", len(results(r)), len(pageIDs))
	}
	for _, p := range results(r) {
		if str(p["spaceId"]) == "" {
			t.Errorf("page %v without spaceId", p["id"])
		}
	}
	for _, q := range []string{
		"/wiki/api/v2/pages?id=" + strings.Join(append(ids250, "1"), ","),
		"/wiki/api/v2/blogposts?id=" + strings.Join(append(ids250, "1"), ","),
		"/wiki/api/v2/pages?id=abc",
		"/wiki/api/v2/pages?space-id=" + strings.Repeat("1,", 101),
	} {
		if r := get(t, s.URL()+q, demoAuth); r.status != 400 {
			t.Errorf("%.80s…: %d", q, r.status)
		}
	}
}
