package confluencesim

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func searchIDs(t *testing.T, s *Server, cql string) []string {
	t.Helper()
	var out []string
	path := "/wiki/rest/api/search?limit=100&cql=" + url.QueryEscape(cql)
	for path != "" {
		r := mustGet(t, s.URL()+path, demoAuth)
		out = append(out, ids(contentOf(results(r)))...)
		path = ""
		if n, ok := links(r)["next"].(string); ok {
			path = "/wiki" + n
		}
	}
	return out
}

func TestCQL(t *testing.T) {
	tn := Demo()
	deploy := byTitle(t, tn, "Deploy runbook")
	deploy.UpdatedAt = time.Date(2025, 3, 4, 10, 30, 45, 0, time.UTC)
	eng := spaceByKey(t, tn, "ENG")
	s := start(t, tn, Options{})
	count := func(cql string) int { return len(searchIDs(t, s, cql)) }
	var engPages, folders, attachments, comments int
	for _, c := range tn.Content {
		if c.SpaceID == eng.ID && c.Type == "page" && c.Status == "current" {
			engPages++
		}
		if c.Type == "folder" && c.Status == "current" {
			folders++
		}
		if c.Type == "comment" && c.Status == "current" {
			if k := newIndex(tn).container(c); k.Status == "current" && spaceByKey(t, tn, "OLD").ID != k.SpaceID {
				comments++
			}
		}
	}
	for _, a := range tn.Attachments {
		if a.Status == "current" {
			attachments++
		}
	}
	for _, tc := range []struct {
		cql  string
		want int
	}{
		{`type=page and space="ENG"`, engPages},
		{`type = page AND space = ENG`, engPages},
		{`type=folder`, folders},
		{`type=attachment`, attachments},
		{`type=comment`, comments},
		{`type in (folder, attachment)`, folders + attachments},
		{`type=page and lastmodified >= "2025-03-04 10:30"`, 1},
		{`type=page and lastmodified > "2025-03-04 10:30"`, 0}, // minute resolution: 10:30:45 is 10:30
		{`type=page and lastmodified >= "2025-03-04 10:31"`, 0},
		{`type=page and lastmodified >= "2025-03-04"`, 1},
		{`type=page and title="Old design"`, 0}, // archived pages never appear
		{`type=page and space=OLD`, 0},          // archived space
		{`type=page and label=runbook`, 1},
		{`ancestor=` + eng.HomepageID + ` and type=page`, engPages - 2}, // not the home page, not 2023 plans (under a root folder)
	} {
		if got := count(tc.cql); got != tc.want {
			t.Errorf("%s: %d results, want %d", tc.cql, got, tc.want)
		}
	}
	desc := searchIDs(t, s, `type=page order by lastmodified desc`)
	if desc[0] != deploy.ID {
		t.Errorf("order by lastmodified desc starts with %s, want %s", desc[0], deploy.ID)
	}
	if len(searchIDs(t, s, `type=page and space=OLD`)) != 0 ||
		len(results(mustGet(t, s.URL()+"/wiki/rest/api/search?includeArchivedSpaces=true&cql="+url.QueryEscape("space=OLD and type=page"), demoAuth))) != 2 {
		t.Error("includeArchivedSpaces does not bring the archived space back")
	}
	for _, tc := range []struct {
		cql    string
		status int
		msg    string
	}{
		{`status=current`, 400, "No field exists with the name: 'status'"},
		{`type=page and space.id=` + eng.ID, 400, "No field exists with the name: 'space.id'"},
		{`type=page and`, 400, "Could not parse cql"},
		{`type=page order by nonsense`, 400, "order by"},
		{``, 500, ""},
	} {
		r := get(t, s.URL()+"/wiki/rest/api/search?cql="+url.QueryEscape(tc.cql), demoAuth)
		if r.status != tc.status || !strings.Contains(string(r.raw), tc.msg) {
			t.Errorf("%q: %d %s", tc.cql, r.status, r.raw)
		}
	}
	// content/search answers the same query as a ContentArray.
	cs := mustGet(t, s.URL()+"/wiki/rest/api/content/search?limit=100&cql="+url.QueryEscape(`type=page and space=ENG`), demoAuth)
	if len(results(cs)) != engPages {
		t.Errorf("content/search: %d", len(results(cs)))
	}
	// Expansions.
	r := mustGet(t, s.URL()+"/wiki/rest/api/search?expand=content.version,content.space,content.ancestors&cql="+url.QueryEscape(`id=`+deploy.ID), demoAuth)
	c := contentOf(results(r))[0]
	if c["version"].(map[string]any)["number"] != float64(deploy.Version) || c["space"].(map[string]any)["key"] != "ENG" || len(c["ancestors"].([]any)) != 2 {
		t.Errorf("expanded content %v", c)
	}
}

func TestSearchLag(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{SearchLag: time.Hour})
	if _, err := s.AddPage(Content{SpaceID: spaceByKey(t, tn, "PUB").ID, Title: "Fresh"}); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, s, `title="Fresh"`); len(got) != 0 {
		t.Errorf("fresh page indexed at once: %v", got)
	}
	if r := get(t, s.URL()+"/wiki/api/v2/pages?title=Fresh", demoAuth); len(results(r)) != 1 {
		t.Errorf("v2 does not see the fresh page")
	}
}

func TestRestrictionsV1(t *testing.T) {
	tn := Demo()
	sec := byTitle(t, tn, "Security review")
	var extra []string
	for i := range 7 {
		u := &User{AccountID: "557058:extra-" + string(rune('a'+i)), DisplayName: "Extra", PublicName: "extra", AccountType: "atlassian", Active: true}
		tn.Users = append(tn.Users, u)
		extra = append(extra, u.AccountID)
	}
	sec.Restrictions.ReadUsers = append(sec.Restrictions.ReadUsers, extra...)
	s := start(t, tn, Options{})
	base := s.URL() + "/wiki/rest/api/content/" + sec.ID + "/restriction"

	// Users and groups paginated with start/limit.
	var users, groups []string
	for start := 0; ; start += 3 {
		r := mustGet(t, base+"/byOperation/read?limit=3&start="+itoa(start), demoAuth)
		rs := r.body["restrictions"].(map[string]any)
		u := rs["user"].(map[string]any)["results"].([]any)
		g := rs["group"].(map[string]any)["results"].([]any)
		for _, x := range u {
			users = append(users, str(x.(map[string]any)["accountId"]))
		}
		for _, x := range g {
			m := x.(map[string]any)
			if m["name"] == "" || m["id"] == "" || m["type"] != "group" {
				t.Errorf("group %v", m)
			}
			groups = append(groups, str(m["id"]))
		}
		if len(u) < 3 && len(g) < 3 {
			break
		}
	}
	if !slices.Equal(users, sec.Restrictions.ReadUsers) || !slices.Equal(groups, sec.Restrictions.ReadGroups) {
		t.Errorf("read restriction users %v groups %v", users, groups)
	}
	// Both operations always come back; direct restrictions only.
	pen := byTitle(t, tn, "Pen test results")
	r := mustGet(t, s.URL()+"/wiki/rest/api/content/"+pen.ID+"/restriction", demoAuth)
	res := results(r)
	if len(res) != 2 || res[0]["operation"] != "read" || res[1]["operation"] != "update" || str(r.body["restrictionsHash"]) == "" {
		t.Fatalf("restriction: %s", r.raw)
	}
	readUsers := res[0]["restrictions"].(map[string]any)["user"].(map[string]any)["results"].([]any)
	if len(readUsers) != 1 { // carol only: the parent's restriction is not inherited here
		t.Errorf("pen test read users %v", readUsers)
	}
	by := mustGet(t, base+"/byOperation", demoAuth)
	if by.body["read"] == nil || by.body["update"] == nil {
		t.Errorf("byOperation %s", by.raw)
	}
	// An open page: empty lists.
	faq := byTitle(t, tn, "FAQ")
	open := mustGet(t, s.URL()+"/wiki/rest/api/content/"+faq.ID+"/restriction/byOperation/read", demoAuth)
	if n := open.body["restrictions"].(map[string]any)["user"].(map[string]any)["size"]; n != float64(0) {
		t.Errorf("open page read users %v", n)
	}
	// Hidden emails are "".
	for _, u := range readUsers {
		if u.(map[string]any)["email"] == nil {
			t.Errorf("user without email field %v", u)
		}
	}
	if r := get(t, s.URL()+"/wiki/rest/api/content/"+pen.ID+"/restriction", basic("bob@example.com", "bob-token")); r.status != 404 {
		t.Errorf("restrictions of a page bob cannot see: %d", r.status)
	}
	// Group members: 400 over 200.
	g := tn.Groups[0]
	if r := get(t, s.URL()+"/wiki/rest/api/group/"+g.ID+"/membersByGroupId?limit=201", demoAuth); r.status != 400 {
		t.Errorf("limit 201: %d", r.status)
	}
	m := mustGet(t, s.URL()+"/wiki/rest/api/group/"+g.ID+"/membersByGroupId", demoAuth)
	if m.body["limit"] != float64(200) {
		t.Errorf("default limit %v", m.body["limit"])
	}
}

func TestV1SpacePermissions(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	r := mustGet(t, s.URL()+"/wiki/rest/api/space/PUB?expand=permissions", demoAuth)
	anon := false
	for _, p := range r.body["permissions"].([]any) {
		m := p.(map[string]any)
		if m["anonymousAccess"] == true && m["subjects"] == nil && m["operation"].(map[string]any)["operation"] == "read" {
			anon = true
		}
	}
	if !anon {
		t.Errorf("PUB permissions lack anonymous read: %s", r.raw)
	}
}
