package confluencesim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
)

func TestSiteAuthFailures(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	pen := byTitle(t, tn, "Pen test results")
	notFound := `{"errors":[{"code":"NOT_FOUND","detail":null,"status":404,"title":"Not Found"}]}`
	for _, tc := range []struct {
		name, auth, path string
		status           int
		contains         string
	}{
		{"v2 wrong token", basic("demo@example.com", "nope"), "/wiki/api/v2/spaces", 404, notFound},
		{"v2 unknown email", basic("who@example.com", "demo-token"), "/wiki/api/v2/pages/" + pen.ID, 404, notFound},
		{"v2 bearer on the site", "Bearer abc", "/wiki/api/v2/spaces", 404, notFound},
		{"v2 garbage", "Basic !!!", "/wiki/api/v2/spaces", 404, notFound},
		{"v2 deactivated user", basic("erin@example.com", "erin-token"), "/wiki/api/v2/spaces", 404, notFound},
		{"v1 wrong token", basic("demo@example.com", "nope"), "/wiki/rest/api/search?cql=type=page", 403, "Current user not permitted to use Confluence"},
		{"v1 current user", basic("demo@example.com", "nope"), "/wiki/rest/api/user/current", 403, "caller cannot access Confluence"},
		{"v2 right token", demoAuth, "/wiki/api/v2/pages/" + pen.ID, 200, `"title":"Pen test results"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s.URL()+tc.path, tc.auth)
			if r.status != tc.status || !strings.Contains(strings.TrimSpace(string(r.raw)), tc.contains) {
				t.Fatalf("%d %s, want %d with %s", r.status, r.raw, tc.status, tc.contains)
			}
		})
	}
	if c := s.Counters(); c.AuthFailures != 7 {
		t.Errorf("auth failures counted %d, want 7", c.AuthFailures)
	}
}

// TestCallerPermissions: lists return only what the caller may view.
func TestCallerPermissions(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	keys := func(auth string) []string {
		var out []string
		for _, sp := range walkV2(t, s, "/wiki/api/v2/spaces", auth) {
			out = append(out, str(sp["key"]))
		}
		slices.Sort(out)
		return out
	}
	alicePersonal := spaceByKey(t, tn, "~"+strings.NewReplacer(":", "", "-", "").Replace(userByEmail(t, tn, "alice@example.com").AccountID)).Key
	for _, tc := range []struct {
		who  string
		auth string
		want []string
	}{
		{"crawler", demoAuth, slices.Sorted(slices.Values([]string{"ENG", "PUB", "HR", "OLD", alicePersonal}))},
		{"anonymous", "", []string{"PUB"}},
		{"bob", basic("bob@example.com", "bob-token"), []string{"ENG", "OLD", "PUB"}},
		{"alice", basic("alice@example.com", "alice-token"), slices.Sorted(slices.Values([]string{"ENG", "OLD", "PUB", alicePersonal}))},
		{"carol", basic("carol@example.com", "carol-token"), []string{"ENG", "HR", "OLD", "PUB"}},
	} {
		if got := keys(tc.auth); !slices.Equal(got, tc.want) {
			t.Errorf("%s sees spaces %v, want %v", tc.who, got, tc.want)
		}
	}
	// Restrictions at several levels: the pen test results need leadership
	// (or dave) on Security review AND carol herself on the page.
	pen := byTitle(t, tn, "Pen test results")
	for _, tc := range []struct {
		who, auth string
		status    int
	}{
		{"carol", basic("carol@example.com", "carol-token"), 200},
		{"alice", basic("alice@example.com", "alice-token"), 404},
		{"dave", basic("dave@example.com", "dave-token"), 404},
		{"bob", basic("bob@example.com", "bob-token"), 404},
		{"crawler", demoAuth, 200},
	} {
		if r := get(t, s.URL()+"/wiki/api/v2/pages/"+pen.ID, tc.auth); r.status != tc.status {
			t.Errorf("%s GET pen test: %d, want %d", tc.who, r.status, tc.status)
		}
	}
	// Bob is not in the folder-level restriction's audience for the
	// postmortem (eng group passes, but the page names alice and dave).
	eng := spaceByKey(t, tn, "ENG")
	var bobPages []string
	for _, p := range walkV2(t, s, "/wiki/api/v2/spaces/"+eng.ID+"/pages", basic("bob@example.com", "bob-token")) {
		bobPages = append(bobPages, str(p["title"]))
	}
	for _, hidden := range []string{"Incident 2024-03 postmortem", "Security review", "Pen test results", "Unfinished idea"} {
		if slices.Contains(bobPages, hidden) {
			t.Errorf("bob sees %q", hidden)
		}
	}
	if !slices.Contains(bobPages, "Deploy runbook") || !slices.Contains(bobPages, "Old design") {
		t.Errorf("bob misses pages: %v", bobPages)
	}
}

func TestGatewayAuth(t *testing.T) {
	tn := Demo()
	var skew atomic.Int64 // the OAuth server's clock runs ahead by this
	clock := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	s := start(t, tn, Options{OAuth: oauthsim.Config{ClientID: "cid", ClientSecret: "secret", Now: clock}})
	gw := s.GatewayURL()

	// Exchange a refresh token for an access token at /oauth/token.
	body := `{"grant_type":"refresh_token","client_id":"cid","client_secret":"secret","refresh_token":"` + s.OAuth().IssueRefreshToken() + `"}`
	r := call(t, http.MethodPost, s.URL()+"/oauth/token", "", strings.NewReader(body))
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	access := str(r.body["access_token"])
	bearer := "Bearer " + access

	rs := mustGet(t, gw+"/wiki/api/v2/spaces", bearer)
	if len(results(rs)) != len(tn.Spaces) {
		t.Errorf("gateway crawler sees %d spaces, want %d", len(results(rs)), len(tn.Spaces))
	}
	if next := links(rs)["next"]; next != nil {
		t.Errorf("unexpected next %v", next)
	}
	mustGet(t, gw+"/wiki/rest/api/search?cql=type=page", bearer)
	mustGet(t, gw+"/wiki/api/v2/spaces", demoAuth) // Basic is accepted on the gateway too

	unauthorized := `{"code":401,"message":"Unauthorized"}`
	for _, tc := range []struct{ name, url, auth string }{
		{"no credentials", gw + "/wiki/api/v2/spaces", ""},
		{"invalid token", gw + "/wiki/api/v2/spaces", "Bearer not-a-token"},
		{"wrong basic", gw + "/wiki/rest/api/group", basic("demo@example.com", "x")},
	} {
		r := get(t, tc.url, tc.auth)
		if r.status != 401 || strings.TrimSpace(string(r.raw)) != unauthorized {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	if r := get(t, s.URL()+"/ex/confluence/not-the-cloud/wiki/api/v2/spaces", bearer); r.status != 404 {
		t.Errorf("wrong cloud id: %d", r.status)
	}
	// An expired access token is refused with 401.
	skew.Store(int64(2 * time.Hour))
	if r := get(t, gw+"/wiki/api/v2/spaces", bearer); r.status != 401 {
		t.Errorf("expired token: %d %s", r.status, r.raw)
	}
	c := s.Counters()
	if c.Gateway < 6 || c.OAuth.Refreshes != 1 {
		t.Errorf("counters %+v", c)
	}
	// accessible-resources names this site.
	var res []map[string]any
	skew.Store(0)
	ar := call(t, http.MethodGet, s.URL()+"/oauth/token/accessible-resources", bearer, nil)
	if err := json.Unmarshal(ar.raw, &res); err != nil || len(res) != 1 || res[0]["id"] != s.CloudID() || res[0]["url"] != s.URL() {
		t.Errorf("accessible-resources: %d %s", ar.status, ar.raw)
	}
}

func TestUsersEmailsHidden(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	bob, alice, bot, erin := userByEmail(t, tn, "bob@example.com"), userByEmail(t, tn, "alice@example.com"), tn.Users[6], userByEmail(t, tn, "erin@example.com")
	body := `{"accountIds":["` + bob.AccountID + `","` + alice.AccountID + `","` + bot.AccountID + `","` + erin.AccountID + `","nobody"]}`
	r := call(t, http.MethodPost, s.URL()+"/wiki/api/v2/users-bulk", demoAuth, strings.NewReader(body))
	if r.status != 200 {
		t.Fatalf("users-bulk: %d %s", r.status, r.raw)
	}
	got := map[string]map[string]any{}
	for _, u := range results(r) {
		got[str(u["accountId"])] = u
	}
	if len(got) != 4 || got[bob.AccountID]["email"] != "" || got[alice.AccountID]["email"] != "alice@example.com" ||
		got[bot.AccountID]["accountType"] != "app" || got[erin.AccountID]["accountStatus"] != "inactive" {
		t.Errorf("users-bulk: %s", r.raw)
	}
	many := make([]string, 251)
	for i := range many {
		many[i] = `"x"`
	}
	if r := call(t, http.MethodPost, s.URL()+"/wiki/api/v2/users-bulk", demoAuth, strings.NewReader(`{"accountIds":[`+strings.Join(many, ",")+`]}`)); r.status != 400 {
		t.Errorf("251 ids: %d", r.status)
	}
	if r := call(t, http.MethodPost, s.URL()+"/wiki/api/v2/users-bulk", demoAuth, strings.NewReader(`{"accountIds":[]}`)); r.status != 400 {
		t.Errorf("0 ids: %d", r.status)
	}
	v1 := mustGet(t, s.URL()+"/wiki/rest/api/user?accountId="+erin.AccountID, demoAuth)
	if v1.body["accountStatus"] != "inactive" || v1.body["email"] != "erin@example.com" {
		t.Errorf("v1 user: %s", v1.raw)
	}
	if r := get(t, s.URL()+"/wiki/rest/api/user?accountId=nobody", demoAuth); r.status != 404 {
		t.Errorf("unknown user: %d", r.status)
	}
	bulk := mustGet(t, s.URL()+"/wiki/rest/api/user/bulk?accountId="+bob.AccountID+"&accountId=nobody", demoAuth)
	if rs := results(bulk); len(rs) != 1 || rs[0]["email"] != "" {
		t.Errorf("v1 bulk: %s", bulk.raw)
	}
}
