package confluencesim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func permCheck(t *testing.T, s *Server, auth, id, body string) resp {
	t.Helper()
	return call(t, http.MethodPost, s.URL()+"/wiki/rest/api/content/"+id+"/permission/check", auth, strings.NewReader(body))
}

func subjectBody(typ, identifier, op string) string {
	return `{"subject":{"type":"` + typ + `","identifier":"` + identifier + `"},"operation":"` + op + `"}`
}

// TestPermissionCheckMatchesRule: the admin crawler asks about every
// active user on every item (attachments through their container); the
// answer equals the rule written out independently (mayView).
func TestPermissionCheckMatchesRule(t *testing.T) {
	tn := Generate(41, Size{Spaces: 3, PagesPerSpace: 12, Users: 8, Groups: 3, RestrictedShare: 0.3, CommentsPerPage: 1, AttachmentsPerPage: 1})
	s := start(t, tn, Options{})
	crawler := tn.Crawlers[0]
	byID := map[string]*Content{}
	for _, c := range tn.Content {
		byID[c.ID] = c
	}
	allowed, denied := 0, 0
	for _, u := range tn.Users {
		if u.AccountID == crawler || !u.Active {
			continue
		}
		items := map[string]*Content{}
		for _, c := range tn.Content {
			if c.Status == "current" {
				items[c.ID] = c
			}
		}
		for _, a := range tn.Attachments {
			items[a.ID] = byID[a.ContainerID]
		}
		for id, c := range items {
			r := permCheck(t, s, crawlerAuth, id, subjectBody("user", u.AccountID, "read"))
			if r.status != http.StatusOK {
				t.Fatalf("check %s for %s: status %d %s", id, u.AccountID, r.status, r.raw)
			}
			want := mayView(tn, u, c)
			if got := r.body["hasPermission"] == true; got != want {
				t.Errorf("%s %s for %s: hasPermission %v, the rule says %v (%s)", c.Type, id, u.DisplayName, got, want, r.raw)
			}
			if errs, _ := r.body["errors"].([]any); want == (len(errs) > 0) {
				t.Errorf("%s for %s: errors %v with hasPermission %v", id, u.DisplayName, errs, want)
			}
			if want {
				allowed++
			} else {
				denied++
			}
		}
	}
	if allowed == 0 || denied == 0 {
		t.Fatalf("allowed %d, denied %d: the tenant proves nothing", allowed, denied)
	}
	t.Logf("%d checks allowed, %d denied, all as the rule says", allowed, denied)
}

// TestPermissionCheckDemo: named cases on the demo tenant.
func TestPermissionCheckDemo(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	user := func(email string) *User {
		i := slices.IndexFunc(tn.Users, func(u *User) bool { return u.Email == email })
		return tn.Users[i]
	}
	find := func(title string) string {
		for _, c := range tn.Content {
			if c.Title == title {
				return c.ID
			}
		}
		t.Fatalf("no %q in the demo", title)
		return ""
	}
	group := func(name string) string {
		for _, g := range tn.Groups {
			if g.Name == name {
				return g.ID
			}
		}
		return ""
	}
	public := find("Public Docs")
	for _, tc := range []struct {
		name, auth, id, body string
		status               int
		has                  bool
		msg                  string
	}{
		{"admin asks about a space viewer", demoAuth, public, subjectBody("user", user("alice@example.com").AccountID, "read"), 200, true, ""},
		{"anonymous on a public page", demoAuth, public, subjectBody("user", "anonymous", "read"), 200, true, ""},
		{"a deactivated account cannot use Confluence", demoAuth, public, subjectBody("user", user("erin@example.com").AccountID, "read"), 200, false, msgUserCannotUse},
		{"a group granted on the space", demoAuth, find("Engineering Home"), subjectBody("group", group("engineering"), "read"), 200, true, ""},
		{"a group not granted on the space", demoAuth, find("Engineering Home"), subjectBody("group", group("hr"), "read"), 200, false, msgGroupNoSpace},
		{"a user outside the space", demoAuth, find("Engineering Home"), subjectBody("user", user("carol@example.com").AccountID, "read") + "", 200, true, ""},
		{"a non-admin asks about itself", basic("bob@example.com", "bob-token"), find("Engineering Home"), subjectBody("user", user("bob@example.com").AccountID, "read"), 200, true, ""},
		{"a non-admin asks about another user", basic("bob@example.com", "bob-token"), public, subjectBody("user", user("alice@example.com").AccountID, "read"), 403, false, ""},
		{"a non-admin asks about a group", basic("bob@example.com", "bob-token"), public, subjectBody("group", group("engineering"), "read"), 403, false, ""},
		{"no subject", demoAuth, public, `{"operation":"read"}`, 400, false, ""},
		{"no operation", demoAuth, public, `{"subject":{"type":"user","identifier":"anonymous"}}`, 400, false, ""},
		{"unknown operation", demoAuth, public, subjectBody("user", "anonymous", "view"), 400, false, ""},
		{"unknown subject type", demoAuth, public, subjectBody("role", "ANONYMOUS", "read"), 400, false, ""},
		{"unknown account", demoAuth, public, subjectBody("user", "557058:nobody", "read"), 400, false, ""},
		{"unknown field", demoAuth, public, `{"subject":{"type":"user","identifier":"anonymous"},"operation":"read","extra":1}`, 400, false, ""},
		{"not JSON", demoAuth, public, `read`, 400, false, ""},
		{"no such content", demoAuth, "999999999", subjectBody("user", "anonymous", "read"), 404, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := permCheck(t, s, tc.auth, tc.id, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status != 200 {
				return
			}
			if got := r.body["hasPermission"] == true; got != tc.has {
				t.Errorf("hasPermission %v, want %v: %s", got, tc.has, r.raw)
			}
			if tc.msg != "" && !strings.Contains(string(r.raw), tc.msg) {
				t.Errorf("errors do not say %q: %s", tc.msg, r.raw)
			}
		})
	}
}

// TestPermissionCheckWithoutAdmin: a crawler account that is not a
// Confluence administrator gets 403 for anyone but itself.
func TestPermissionCheckWithoutAdmin(t *testing.T) {
	tn := Generate(42, Size{Spaces: 1, PagesPerSpace: 3, Users: 4})
	tn.Admins = nil
	s := start(t, tn, Options{})
	id := tn.Content[0].ID
	if r := permCheck(t, s, crawlerAuth, id, subjectBody("user", tn.Users[1].AccountID, "read")); r.status != http.StatusForbidden {
		t.Errorf("another user: status %d, want 403: %s", r.status, r.raw)
	} else if !strings.Contains(string(r.raw), "Confluence Administrator") {
		t.Errorf("the 403 does not name the missing permission: %s", r.raw)
	}
	if r := permCheck(t, s, crawlerAuth, id, subjectBody("user", tn.Crawlers[0], "read")); r.status != http.StatusOK || r.body["hasPermission"] != true {
		t.Errorf("itself: status %d: %s", r.status, r.raw)
	}
}
