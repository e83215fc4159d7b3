package searchsinktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/searchsink"
	"github.com/conflux-dev/conflux/services/sink/searchsink/searchfake"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
	"github.com/conflux-dev/conflux/services/sink/sinkport/sinkporttest"
)

func openFake(t *testing.T, p searchfake.Product, open Open) (*searchfake.Server, *searchsink.Sink) {
	srv := searchfake.New(t, p)
	s, err := open(t, srv.URL, Options())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return srv, s
}

func docs(n int) []sinkport.Item {
	var items []sinkport.Item
	for i := range n {
		items = append(items, sinkport.Item{Doc: sinkporttest.Doc(fmt.Sprintf("d%03d", i), 1)})
	}
	return items
}

// testItemRetries: items answered 429 and 503 on their own are sent again
// until written; nothing is lost.
func testItemRetries(t *testing.T, p searchfake.Product, open Open) {
	srv, s := openFake(t, p, open)
	srv.FailItems(http.StatusTooManyRequests, 3)
	srv.FailItems(http.StatusServiceUnavailable, 2)
	if err := s.Upsert(t.Context(), docs(10)); err != nil {
		t.Fatalf("upsert: %v", err)
	}
	if n := srv.Count("conflux"); n != 10 {
		t.Fatalf("%d documents stored, want 10", n)
	}
}

// testDown: a server answering 500 to everything is given up on after the
// bounded attempts, with an error saying so.
func testDown(t *testing.T, p searchfake.Product, open Open) {
	srv, s := openFake(t, p, open)
	srv.Down(http.StatusInternalServerError)
	start := time.Now()
	err := s.Upsert(t.Context(), docs(3))
	if err == nil || !strings.Contains(err.Error(), "after 4 attempts") || !strings.Contains(err.Error(), "status 500") {
		t.Fatalf("upsert against a failing server: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("gave up after %v", d)
	}
}

// testPermanent: an item refused for good (400) fails the batch naming the
// document; the others are written.
func testPermanent(t *testing.T, p searchfake.Product, open Open) {
	srv, s := openFake(t, p, open)
	srv.FailItems(http.StatusBadRequest, 1)
	err := s.Upsert(t.Context(), docs(3))
	if err == nil || !strings.Contains(err.Error(), `"d000" status 400 mapper_parsing_exception`) {
		t.Fatalf("upsert with a refused item: %v", err)
	}
	if n := srv.Count("conflux"); n != 2 {
		t.Fatalf("%d documents stored, want the 2 others", n)
	}
}

// testTemplate: the documents template maps the ACL as keywords and a
// boolean and the text fields as text.
func testTemplate(t *testing.T, p searchfake.Product, open Open) {
	srv, _ := openFake(t, p, open)
	var tpl struct {
		IndexPatterns []string `json:"index_patterns"`
		Template      struct {
			Mappings struct {
				Properties map[string]struct {
					Type       string                    `json:"type"`
					Properties map[string]map[string]any `json:"properties"`
				} `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	if err := json.Unmarshal(srv.Template("conflux"), &tpl); err != nil {
		t.Fatalf("template: %v", err)
	}
	props := tpl.Template.Mappings.Properties
	acl := props["acl"].Properties
	checks := map[string]any{
		"acl.public": acl["public"]["type"], "acl.users": acl["users"]["type"], "acl.account_ids": acl["account_ids"]["type"],
		"acl.groups": acl["groups"]["type"], "title": props["title"].Type, "body_text": props["body_text"].Type,
	}
	want := map[string]string{"acl.public": "boolean", "acl.users": "keyword", "acl.account_ids": "keyword",
		"acl.groups": "keyword", "title": "text", "body_text": "text"}
	if fmt.Sprint(checks) != fmt.Sprint(want) || fmt.Sprint(tpl.IndexPatterns) != "[conflux]" {
		t.Fatalf("template maps %v for %v, want %v", checks, tpl.IndexPatterns, want)
	}
	if srv.Template("conflux-identities") == nil {
		t.Fatal("no identities template")
	}
}

// testIdentities: each user's identity document lists their groups, and
// its role query, rendered and run against every document, shows exactly
// the documents the ACL rule allows; a user who leaves every group loses
// their identity document.
func testIdentities(t *testing.T, p searchfake.Product, open Open) {
	srv, s := openFake(t, p, open)
	ctx := t.Context()
	eng := proto.Group{ID: "g-eng", Name: "eng", Members: []proto.GroupMember{{AccountID: "a1", Email: "Ann@acme.com"}, {AccountID: "b2"}}}
	ops := proto.Group{ID: "g-ops", Name: "ops", Members: []proto.GroupMember{{AccountID: "a1", Email: "ann@acme.com"}}}
	if err := s.WriteGroups(ctx, []proto.Group{eng, ops}); err != nil {
		t.Fatal(err)
	}
	ann := identity(t, srv, "ann@acme.com")
	if fmt.Sprint(ann.Groups, ann.AccountIDs) != "[g-eng g-ops] [a1]" {
		t.Fatalf("ann: %+v", ann)
	}
	b2 := identity(t, srv, "account:b2")
	docsFor := map[string]proto.ACL{
		"pub": {Public: true}, "eng": {Groups: []string{"g-eng"}}, "ops": {Groups: []string{"g-ops"}},
		"ann": {Users: []string{"ann@acme.com"}, AccountIDs: []string{"a1"}}, "b2": {AccountIDs: []string{"b2"}},
		"none": {Users: []string{"zed@acme.com"}},
	}
	var items []sinkport.Item
	for id, acl := range docsFor {
		d := sinkporttest.Doc(id, 1)
		d.ACL = acl
		items = append(items, sinkport.Item{Doc: d})
	}
	if err := s.Upsert(ctx, items); err != nil {
		t.Fatal(err)
	}
	checkVisible(t, s, ann, "[ann eng ops pub]")
	checkVisible(t, s, b2, "[b2 eng pub]")

	ops.Members = nil
	eng.Members = eng.Members[1:]
	if err := s.WriteGroups(ctx, []proto.Group{eng, ops}); err != nil {
		t.Fatal(err)
	}
	if _, ok := lookup(t, srv, "ann@acme.com"); ok {
		t.Fatal("ann left every group but keeps an identity document")
	}
}

type identityDoc struct {
	AccountIDs []string `json:"account_ids"`
	Groups     []string `json:"groups"`
	Query      struct {
		Template struct {
			Source string         `json:"source"`
			Params map[string]any `json:"params"`
		} `json:"template"`
	} `json:"query"`
}

func identity(t *testing.T, srv *searchfake.Server, key string) identityDoc {
	t.Helper()
	d, ok := lookup(t, srv, key)
	if !ok {
		t.Fatalf("no identity document %s", key)
	}
	return d
}

func lookup(t *testing.T, srv *searchfake.Server, key string) (identityDoc, bool) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/conflux-identities/_doc/" + key)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var g struct {
		Found  bool        `json:"found"`
		Source identityDoc `json:"_source"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&g); err != nil {
		t.Fatal(err)
	}
	return g.Source, g.Found
}

// checkVisible renders the identity's role query (the mustache toJson
// sections the template uses) and runs it against every stored document.
func checkVisible(t *testing.T, s *searchsink.Sink, id identityDoc, want string) {
	t.Helper()
	q := id.Query.Template.Source
	for name, v := range id.Query.Template.Params {
		data, _ := json.Marshal(v)
		q = strings.ReplaceAll(q, "{{#toJson}}"+name+"{{/toJson}}", string(data))
	}
	all, err := s.Documents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var visible []string
	for _, d := range all {
		src := map[string]any{}
		data, _ := json.Marshal(d)
		_ = json.Unmarshal(data, &src)
		ok, err := searchfake.Match(json.RawMessage(q), src)
		if err != nil {
			t.Fatalf("role query %s: %v", q, err)
		}
		if ok {
			visible = append(visible, d.ID)
		}
	}
	if fmt.Sprint(visible) != want {
		t.Fatalf("role query shows %v, want %s", visible, want)
	}
}
