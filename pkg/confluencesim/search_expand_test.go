package confluencesim

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// followSub collects a truncated expanded collection: the inlined rows,
// then each page its `_links.next` names (pick finds the collection in a
// page's body).
func followSub(t *testing.T, s *Server, sub map[string]any, pick func(resp) map[string]any) []map[string]any {
	t.Helper()
	var all []map[string]any
	for page := 0; sub != nil; page++ {
		if page > 100 {
			t.Fatal("expanded collection: no end")
		}
		for _, x := range sub["results"].([]any) {
			all = append(all, x.(map[string]any))
		}
		l, _ := sub["_links"].(map[string]any)
		next, _ := l["next"].(string)
		if next == "" {
			break
		}
		if sub["size"] != sub["limit"] {
			t.Errorf("truncated collection: size %v, limit %v", sub["size"], sub["limit"])
		}
		if !strings.HasPrefix(next, "/rest/api/content/") {
			t.Fatalf("next %q is not a context-relative content route", next)
		}
		sub = pick(mustGet(t, s.URL()+"/wiki"+next, demoAuth))
	}
	return all
}

func TestContentSearchExpansions(t *testing.T) {
	tn := Demo()
	deploy := byTitle(t, tn, "Deploy runbook")
	deploy.Labels = []string{"a1", "a2", "a3", "a4", "a5"}
	for _, u := range tn.Users {
		deploy.Restrictions.ReadUsers = append(deploy.Restrictions.ReadUsers, u.AccountID)
	}
	for _, g := range tn.Groups {
		deploy.Restrictions.ReadGroups = append(deploy.Restrictions.ReadGroups, g.ID)
	}
	if len(deploy.Restrictions.ReadUsers) < 5 || len(deploy.Restrictions.ReadGroups) < 3 {
		t.Fatal("the demo has too few users or groups for the test")
	}
	s := start(t, tn, Options{ExpandLabelLimit: 2, ExpandRestrictionLimit: 2})
	cql := url.QueryEscape("id=" + deploy.ID)
	r := mustGet(t, s.URL()+"/wiki/rest/api/content/search?cql="+cql+
		"&expand=metadata.labels,restrictions.read.restrictions.user,restrictions.read.restrictions.group", demoAuth)
	c := results(r)[0]

	labels := c["metadata"].(map[string]any)["labels"].(map[string]any)
	if next := labels["_links"].(map[string]any)["next"]; next != "/rest/api/content/"+deploy.ID+"/label?start=2&limit=2" {
		t.Errorf("labels next %v", next)
	}
	var names []string
	for _, l := range followSub(t, s, labels, func(r resp) map[string]any { return r.body }) {
		names = append(names, str(l["name"]))
		if l["prefix"] != "global" || l["label"] != l["name"] || str(l["id"]) == "" {
			t.Errorf("label %v", l)
		}
	}
	if !slices.Equal(names, deploy.Labels) {
		t.Errorf("labels %v, want %v", names, deploy.Labels)
	}

	rs := c["restrictions"].(map[string]any)
	if _, ok := rs["_expandable"].(map[string]any)["update"]; !ok || rs["update"] != nil {
		t.Errorf("update restrictions expanded although not asked: %v", rs)
	}
	read := rs["read"].(map[string]any)
	if read["operation"] != "read" {
		t.Errorf("read restriction %v", read)
	}
	for _, tc := range []struct {
		kind, key string
		want      []string
	}{
		{"user", "accountId", deploy.Restrictions.ReadUsers},
		{"group", "id", deploy.Restrictions.ReadGroups},
	} {
		sub := read["restrictions"].(map[string]any)[tc.kind].(map[string]any)
		wantNext := "/rest/api/content/" + deploy.ID + "/restriction/byOperation/read?expand=restrictions." + tc.kind + "&start=2&limit=2"
		if next := sub["_links"].(map[string]any)["next"]; next != wantNext {
			t.Errorf("%s next %v, want %s", tc.kind, next, wantNext)
		}
		pick := func(r resp) map[string]any { return r.body["restrictions"].(map[string]any)[tc.kind].(map[string]any) }
		var got []string
		for _, x := range followSub(t, s, sub, pick) {
			got = append(got, str(x[tc.key]))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s restrictions %v, want %v", tc.kind, got, tc.want)
		}
	}

	// The content. forms on /search.
	sr := mustGet(t, s.URL()+"/wiki/rest/api/search?cql="+cql+"&expand=content.metadata.labels,content.restrictions.update.restrictions.user", demoAuth)
	sc := contentOf(results(sr))[0]
	if sc["metadata"] == nil || sc["restrictions"].(map[string]any)["update"] == nil {
		t.Errorf("search content %v", sc)
	}

	for _, tc := range []struct {
		path   string
		status int
		msg    string
	}{
		{"/wiki/rest/api/content/search?expand=body.storage&cql=" + cql, 400, "'body.storage' is not supported by the simulator"},
		{"/wiki/rest/api/content/search?expand=nonsense&cql=" + cql, 400, "'nonsense'"},
		{"/wiki/rest/api/content/search?expand=restrictions.read&cql=" + cql, 400, "'restrictions.read'"},
		{"/wiki/rest/api/search?expand=space&cql=" + cql, 400, "'space'"},
		{"/wiki/rest/api/content/search?expand=ancestors.restrictions.read.restrictions.user&cql=" + cql, 404, "CONFCLOUD-77618"},
		{"/wiki/rest/api/search?expand=content.ancestors.restrictions.read.restrictions.group&cql=" + cql, 404, "CONFCLOUD-77618"},
	} {
		r := get(t, s.URL()+tc.path, demoAuth)
		if r.status != tc.status || !strings.Contains(str(r.body["message"]), tc.msg) {
			t.Errorf("%s: %d %s", tc.path, r.status, r.raw)
		}
	}
}

// TestRestrictionRoutePaging: byOperation/{op} pages users and groups by
// start/limit with `_links.next` while more remain.
func TestRestrictionRoutePaging(t *testing.T) {
	tn := Demo()
	deploy := byTitle(t, tn, "Deploy runbook")
	for _, u := range tn.Users {
		deploy.Restrictions.ReadUsers = append(deploy.Restrictions.ReadUsers, u.AccountID)
	}
	s := start(t, tn, Options{})
	r := mustGet(t, s.URL()+"/wiki/rest/api/content/"+deploy.ID+"/restriction/byOperation/read?limit=2&start=1", demoAuth)
	users := r.body["restrictions"].(map[string]any)["user"].(map[string]any)
	if users["start"] != float64(1) || users["limit"] != float64(2) || users["size"] != float64(2) {
		t.Errorf("users %v", users)
	}
	want := "/rest/api/content/" + deploy.ID + "/restriction/byOperation/read?expand=restrictions.user&start=3&limit=2"
	if next := users["_links"].(map[string]any)["next"]; next != want {
		t.Errorf("next %v, want %s", next, want)
	}
	if r := get(t, s.URL()+"/wiki/rest/api/content/"+deploy.ID+"/restriction/byOperation/administer", demoAuth); r.status != 400 {
		t.Errorf("operationKey administer: %d", r.status)
	}
	r = mustGet(t, s.URL()+"/wiki/rest/api/content/"+deploy.ID+"/restriction/byOperation/read", demoAuth)
	users = r.body["restrictions"].(map[string]any)["user"].(map[string]any)
	if users["limit"] != float64(100) || users["_links"] != nil || int(users["size"].(float64)) != len(deploy.Restrictions.ReadUsers) {
		t.Errorf("untruncated users %v", users)
	}
}

// TestV1Labels: GET /rest/api/content/{id}/label pages by start/limit.
func TestV1Labels(t *testing.T) {
	tn := Demo()
	deploy := byTitle(t, tn, "Deploy runbook")
	s := start(t, tn, Options{})
	got := walkV1(t, s, "/wiki/rest/api/content/"+deploy.ID+"/label?limit=1", demoAuth)
	if len(got) != len(deploy.Labels) {
		t.Errorf("labels %v, want %v", got, deploy.Labels)
	}
	if r := get(t, s.URL()+"/wiki/rest/api/content/999999/label", demoAuth); r.status != 404 {
		t.Errorf("missing content: %d", r.status)
	}
	if r := mustGet(t, s.URL()+"/wiki/rest/api/content/"+deploy.ID+"/label?prefix=my", demoAuth); len(results(r)) != 0 {
		t.Errorf("prefix=my: %s", r.raw)
	}
}
