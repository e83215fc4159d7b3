package confluencesim

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestCloseLeaksNothing: Close ends every goroutine the server started,
// including a request hanging in a timeout fault.
func TestCloseLeaksNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s, err := Start(Demo(), Options{Faults: 1, Seed: 1, Hang: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 { // some of these hang
			req, _ := http.NewRequest(http.MethodGet, s.URL()+"/wiki/api/v2/spaces?i="+itoa(i), nil)
			if res, err := client.Do(req); err == nil {
				res.Body.Close()
			}
		}
	}()
	time.Sleep(200 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("requests still hanging after Close")
	}
	tr.CloseIdleConnections()
	if r, err := http.Get(s.URL() + "/wiki/api/v2/spaces"); err == nil {
		r.Body.Close()
		t.Fatal("server still answers after Close")
	}
}

func TestUnknownRoutes(t *testing.T) {
	s := start(t, Demo(), Options{})
	for _, p := range []string{"/wiki/api/v2/nothing", "/wiki/rest/api/nothing", "/nothing", "/wiki/api/v2/folders/1/children"} {
		if r := get(t, s.URL()+p, demoAuth); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if r := get(t, s.URL()+"/_edge/tenant_info", ""); r.body["cloudId"] != s.CloudID() {
		t.Errorf("tenant_info %s", r.raw)
	}
	if s.Counters().Endpoints["unmatched"] != 3 {
		t.Errorf("unmatched %d", s.Counters().Endpoints["unmatched"])
	}
}

func TestListRules(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	eng := spaceByKey(t, tn, "ENG")
	base := s.URL() + "/wiki/api/v2/spaces/" + eng.ID + "/pages"
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"?status=draft", 400}, {"?status=current,draft", 400}, {"?body-format=view", 400},
		{"?depth=sideways", 400}, {"?status=current,archived", 200}, {"?status=current&status=archived", 200},
	} {
		if r := get(t, base+tc.query, demoAuth); r.status != tc.status {
			t.Errorf("%s: %d, want %d", tc.query, r.status, tc.status)
		}
	}
	r := mustGet(t, base, demoAuth)
	for _, p := range results(r) {
		if b, ok := p["body"].(map[string]any); !ok || len(b) != 0 {
			t.Errorf("body without body-format: %v", p["body"])
		}
		if p["status"] != "current" && p["status"] != "archived" {
			t.Errorf("default status lists %v", p["status"])
		}
	}
	// Folders are not pages.
	runbooks := byTitle(t, tn, "Runbooks")
	if r := get(t, s.URL()+"/wiki/api/v2/pages/"+runbooks.ID, demoAuth); r.status != 404 || !strings.Contains(string(r.raw), "Cannot find a page with id") {
		t.Errorf("/pages/{folder}: %d %s", r.status, r.raw)
	}
	f := mustGet(t, s.URL()+"/wiki/api/v2/folders/"+runbooks.ID, demoAuth)
	if f.body["type"] != "folder" || f.body["parentType"] != "page" || links(f)["base"] == nil {
		t.Errorf("folder %s", f.raw)
	}
	// children hides folders, direct-children shows them.
	home := eng.HomepageID
	kids := results(mustGet(t, s.URL()+"/wiki/api/v2/pages/"+home+"/children", demoAuth))
	for _, k := range kids {
		if k["id"] == runbooks.ID {
			t.Error("children lists a folder")
		}
	}
	deploy := byTitle(t, tn, "Deploy runbook")
	p := mustGet(t, s.URL()+"/wiki/api/v2/pages/"+deploy.ID, demoAuth)
	if p.body["parentType"] != "folder" || p.body["parentId"] != runbooks.ID {
		t.Errorf("page under folder: %v %v", p.body["parentId"], p.body["parentType"])
	}
	// Space permissions: principal user|group|role, ANONYMOUS on PUB.
	pub := spaceByKey(t, tn, "PUB")
	var anon bool
	for _, perm := range walkV2(t, s, "/wiki/api/v2/spaces/"+pub.ID+"/permissions", demoAuth) {
		pr := perm["principal"].(map[string]any)
		op := perm["operation"].(map[string]any)
		anon = anon || (pr["type"] == "role" && pr["id"] == "ANONYMOUS" && op["key"] == "read" && op["targetType"] == "space")
	}
	if !anon {
		t.Error("PUB has no role/ANONYMOUS read")
	}
	// Comment lists hold root comments; replies come from /children.
	fc := results(mustGet(t, s.URL()+"/wiki/api/v2/pages/"+deploy.ID+"/footer-comments", demoAuth))
	if len(fc) != 1 {
		t.Fatalf("footer comments %d, want 1 root", len(fc))
	}
	replies := results(mustGet(t, s.URL()+"/wiki/api/v2/footer-comments/"+str(fc[0]["id"])+"/children", demoAuth))
	if len(replies) != 2 || replies[0]["parentCommentId"] != fc[0]["id"] {
		t.Errorf("replies %v", replies)
	}
}
