package oauthsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
)

const (
	clientID     = "client-abc"
	clientSecret = "s3cret-xyz"
)

// clock is a test clock that only moves when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type harness struct {
	t     *testing.T
	srv   *oauthsim.Server
	http  *httptest.Server
	clock *clock
}

func newHarness(t *testing.T, mod func(*oauthsim.Config)) *harness {
	t.Helper()
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := oauthsim.Config{
		ClientID: clientID, ClientSecret: clientSecret,
		AccessTTL: time.Hour, ReuseWindow: 10 * time.Minute,
		InactivityExpiry: 90 * 24 * time.Hour, AbsoluteExpiry: 365 * 24 * time.Hour,
		Now: c.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	srv := oauthsim.New(cfg, []oauthsim.Site{{CloudID: "cloud-1", URL: "https://acme.atlassian.net", Name: "acme"}})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &harness{t: t, srv: srv, http: hs, clock: c}
}

type tokenAnswer struct {
	Status       int
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
}

// postJSON sends the body as the Atlassian documentation shows it.
func (h *harness) postJSON(body map[string]string) tokenAnswer {
	h.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(h.http.URL+"/oauth/token", "application/json", strings.NewReader(string(b)))
	if err != nil {
		h.t.Fatal(err)
	}
	return decodeAnswer(h.t, resp)
}

// postForm sends the body as golang.org/x/oauth2 does.
func (h *harness) postForm(body url.Values) tokenAnswer {
	h.t.Helper()
	resp, err := http.PostForm(h.http.URL+"/oauth/token", body)
	if err != nil {
		h.t.Fatal(err)
	}
	return decodeAnswer(h.t, resp)
}

func decodeAnswer(t *testing.T, resp *http.Response) tokenAnswer {
	t.Helper()
	defer resp.Body.Close()
	var a tokenAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("decode token answer (status %d): %v", resp.StatusCode, err)
	}
	a.Status = resp.StatusCode
	return a
}

func (h *harness) refresh(rt string) tokenAnswer {
	h.t.Helper()
	return h.postJSON(map[string]string{
		"grant_type": "refresh_token", "client_id": clientID, "client_secret": clientSecret, "refresh_token": rt,
	})
}

func wantInvalidGrant(t *testing.T, a tokenAnswer) {
	t.Helper()
	if a.Status != http.StatusForbidden || a.Error != "invalid_grant" || a.Description != "Unknown or invalid refresh token." {
		t.Fatalf("want 403 invalid_grant, got %d %q %q", a.Status, a.Error, a.Description)
	}
}

func wantPair(t *testing.T, a tokenAnswer) {
	t.Helper()
	if a.Status != http.StatusOK || a.AccessToken == "" || a.RefreshToken == "" || a.TokenType != "Bearer" {
		t.Fatalf("want a token pair, got %d %+v", a.Status, a)
	}
}

func TestRefreshRotation(t *testing.T) {
	type step struct {
		name    string
		advance time.Duration
		use     string // "first", "second", "third" (tokens returned so far), "reused"
		want    string // "pair" | "invalid_grant"
	}
	cases := []struct {
		name          string
		steps         []step
		wantReuses    int
		wantRevoked   int
		wantRefreshes int
	}{
		{
			name: "each refresh rotates and the new token works",
			steps: []step{
				{name: "use first", use: "first", want: "pair"},
				{name: "use second", advance: time.Minute, use: "second", want: "pair"},
				{name: "use third", advance: time.Minute, use: "third", want: "pair"},
			},
			wantRefreshes: 3,
		},
		{
			name: "reuse within the window returns a pair of the same family",
			steps: []step{
				{name: "use first", use: "first", want: "pair"},
				{name: "reuse first at 9m", advance: 9 * time.Minute, use: "first", want: "pair"},
				{name: "second still works", use: "second", want: "pair"},
			},
			wantReuses: 1, wantRefreshes: 3,
		},
		{
			name: "reuse after the window revokes the family",
			steps: []step{
				{name: "use first", use: "first", want: "pair"},
				{name: "reuse first at 11m", advance: 11 * time.Minute, use: "first", want: "invalid_grant"},
				{name: "second is revoked too", use: "second", want: "invalid_grant"},
			},
			wantRevoked: 1, wantRefreshes: 1,
		},
		{
			name: "inactivity expiry",
			steps: []step{
				{name: "unused for 90 days", advance: 90 * 24 * time.Hour, use: "first", want: "invalid_grant"},
			},
		},
		{
			name: "rotation resets inactivity",
			steps: []step{
				{name: "use at 80 days", advance: 80 * 24 * time.Hour, use: "first", want: "pair"},
				{name: "use at 160 days", advance: 80 * 24 * time.Hour, use: "second", want: "pair"},
			},
			wantRefreshes: 2,
		},
		{
			name: "absolute expiry is not reset by rotation",
			steps: []step{
				{name: "use at 80 days", advance: 80 * 24 * time.Hour, use: "first", want: "pair"},
				{name: "use at 160 days", advance: 80 * 24 * time.Hour, use: "second", want: "pair"},
				{name: "use at 240 days", advance: 80 * 24 * time.Hour, use: "third", want: "pair"},
				{name: "use at 320 days", advance: 80 * 24 * time.Hour, use: "fourth", want: "pair"},
				{name: "use at 366 days", advance: 46 * 24 * time.Hour, use: "fifth", want: "invalid_grant"},
			},
			wantRefreshes: 4,
		},
		{
			name: "unknown token",
			steps: []step{
				{name: "garbage", use: "garbage", want: "invalid_grant"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			tokens := map[string]string{"first": h.srv.IssueRefreshToken(), "garbage": "nope"}
			order := []string{"second", "third", "fourth", "fifth", "sixth"}
			next := 0
			for _, st := range tc.steps {
				h.clock.Advance(st.advance)
				a := h.refresh(tokens[st.use])
				switch st.want {
				case "pair":
					wantPair(t, a)
					if !h.srv.ValidAccessToken(a.AccessToken) {
						t.Fatalf("%s: issued access token not valid", st.name)
					}
					if !strings.HasPrefix(st.name, "reuse") {
						tokens[order[next]] = a.RefreshToken
						next++
					}
				default:
					wantInvalidGrant(t, a)
				}
			}
			c := h.srv.Counters()
			if c.Reuses != tc.wantReuses || c.Revocations != tc.wantRevoked || c.Refreshes != tc.wantRefreshes {
				t.Fatalf("counters %+v; want reuses %d revocations %d refreshes %d", c, tc.wantReuses, tc.wantRevoked, tc.wantRefreshes)
			}
		})
	}
}

func TestAccessTokenExpires(t *testing.T) {
	h := newHarness(t, func(c *oauthsim.Config) { c.AccessTTL = 2 * time.Second })
	a := h.refresh(h.srv.IssueRefreshToken())
	wantPair(t, a)
	if a.ExpiresIn != 2 {
		t.Fatalf("expires_in %d, want 2", a.ExpiresIn)
	}
	if !h.srv.ValidAccessToken(a.AccessToken) || !h.srv.ValidAccessToken("Bearer "+a.AccessToken) {
		t.Fatal("fresh access token refused")
	}
	h.clock.Advance(2 * time.Second)
	if h.srv.ValidAccessToken(a.AccessToken) {
		t.Fatal("expired access token accepted")
	}
	if h.srv.ValidAccessToken("") || h.srv.ValidAccessToken("made-up") {
		t.Fatal("unknown access token accepted")
	}
}

func TestClientAuthentication(t *testing.T) {
	h := newHarness(t, nil)
	rt := h.srv.IssueRefreshToken()
	cases := []struct {
		name string
		body map[string]string
	}{
		{"wrong secret", map[string]string{"grant_type": "refresh_token", "client_id": clientID, "client_secret": "wrong", "refresh_token": rt}},
		{"wrong client", map[string]string{"grant_type": "refresh_token", "client_id": "other", "client_secret": clientSecret, "refresh_token": rt}},
		{"no secret", map[string]string{"grant_type": "refresh_token", "client_id": clientID, "refresh_token": rt}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := h.postJSON(tc.body)
			if a.Status != http.StatusUnauthorized || a.Error != "access_denied" || a.AccessToken != "" {
				t.Fatalf("got %d %+v, want 401 access_denied", a.Status, a)
			}
		})
	}
	// The refused requests did not use up the refresh token.
	wantPair(t, h.refresh(rt))
	if c := h.srv.Counters(); c.ClientAuthFailures != 3 || c.Reuses != 0 {
		t.Fatalf("counters %+v", c)
	}
}

// authorize calls /authorize without following the redirect.
func (h *harness) authorize(q url.Values) *http.Response {
	h.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(h.http.URL + "/authorize?" + q.Encode())
	if err != nil {
		h.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func authQuery(mod func(url.Values)) url.Values {
	q := url.Values{
		"audience": {"api.atlassian.com"}, "client_id": {clientID},
		"scope":        {"read:page:confluence offline_access"},
		"redirect_uri": {"http://localhost:13131"}, "state": {"st-1"},
		"response_type": {"code"}, "prompt": {"consent"},
	}
	if mod != nil {
		mod(q)
	}
	return q
}

func TestAuthorize(t *testing.T) {
	cases := []struct {
		name       string
		cfg        func(*oauthsim.Config)
		query      func(url.Values)
		wantStatus int
		wantError  string // error= in the redirect; "" with 302 means a code
	}{
		{name: "consent given", wantStatus: http.StatusFound},
		{name: "unknown client", query: func(q url.Values) { q.Set("client_id", "nope") }, wantStatus: http.StatusBadRequest},
		{name: "redirect not registered", query: func(q url.Values) { q.Set("redirect_uri", "http://evil.example/cb") }, wantStatus: http.StatusBadRequest},
		{name: "redirect not in configured list", cfg: func(c *oauthsim.Config) { c.RedirectURIs = []string{"http://localhost:9999"} }, wantStatus: http.StatusBadRequest},
		{name: "configured redirect", cfg: func(c *oauthsim.Config) { c.RedirectURIs = []string{"http://localhost:13131"} }, wantStatus: http.StatusFound},
		{name: "consent denied by query", query: func(q url.Values) { q.Set("consent", "deny") }, wantStatus: http.StatusFound, wantError: "access_denied"},
		{name: "consent denied by policy", cfg: func(c *oauthsim.Config) { c.DenyConsent = true }, wantStatus: http.StatusFound, wantError: "access_denied"},
		{name: "wrong response type", query: func(q url.Values) { q.Set("response_type", "token") }, wantStatus: http.StatusFound, wantError: "unsupported_response_type"},
		{name: "wrong audience", query: func(q url.Values) { q.Del("audience") }, wantStatus: http.StatusFound, wantError: "invalid_request"},
		{name: "no scope", query: func(q url.Values) { q.Del("scope") }, wantStatus: http.StatusFound, wantError: "invalid_scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.cfg)
			resp := h.authorize(authQuery(tc.query))
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if resp.StatusCode != http.StatusFound {
				return
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || loc.Host != "localhost:13131" {
				t.Fatalf("redirect to %q", resp.Header.Get("Location"))
			}
			if got := loc.Query().Get("state"); got != "st-1" {
				t.Fatalf("state %q", got)
			}
			if got := loc.Query().Get("error"); got != tc.wantError {
				t.Fatalf("error %q, want %q", got, tc.wantError)
			}
			if tc.wantError == "" && loc.Query().Get("code") == "" {
				t.Fatal("no code")
			}
		})
	}
}

func (h *harness) code(scope string) string {
	h.t.Helper()
	resp := h.authorize(authQuery(func(q url.Values) { q.Set("scope", scope) }))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc.Query().Get("code")
}

func TestCodeExchange(t *testing.T) {
	h := newHarness(t, nil)
	form := func(code, redirect string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "client_secret": {clientSecret},
			"code": {code}, "redirect_uri": {redirect}}
	}

	t.Run("form body with offline_access", func(t *testing.T) {
		code := h.code("read:page:confluence offline_access")
		a := h.postForm(form(code, "http://localhost:13131"))
		wantPair(t, a)
		if a.Scope != "read:page:confluence offline_access" || a.ExpiresIn != 3600 {
			t.Fatalf("scope %q expires_in %d", a.Scope, a.ExpiresIn)
		}
		wantPair(t, h.refresh(a.RefreshToken))
		t.Run("code is single use", func(t *testing.T) {
			if a := h.postForm(form(code, "http://localhost:13131")); a.Status != http.StatusForbidden || a.Error != "invalid_grant" {
				t.Fatalf("reused code: %d %+v", a.Status, a)
			}
		})
	})
	t.Run("json body without offline_access has no refresh token", func(t *testing.T) {
		a := h.postJSON(map[string]string{"grant_type": "authorization_code", "client_id": clientID, "client_secret": clientSecret,
			"code": h.code("read:page:confluence"), "redirect_uri": "http://localhost:13131"})
		if a.Status != http.StatusOK || a.AccessToken == "" || a.RefreshToken != "" {
			t.Fatalf("got %d %+v", a.Status, a)
		}
	})
	t.Run("redirect_uri must match", func(t *testing.T) {
		a := h.postForm(form(h.code("offline_access"), "http://localhost:1"))
		if a.Status != http.StatusForbidden || a.Error != "invalid_grant" {
			t.Fatalf("got %d %+v", a.Status, a)
		}
	})
	t.Run("code expires", func(t *testing.T) {
		code := h.code("offline_access")
		h.clock.Advance(11 * time.Minute)
		if a := h.postForm(form(code, "http://localhost:13131")); a.Status != http.StatusForbidden {
			t.Fatalf("got %d %+v", a.Status, a)
		}
	})
	t.Run("basic client authentication", func(t *testing.T) {
		f := form(h.code("offline_access"), "http://localhost:13131")
		f.Del("client_id")
		f.Del("client_secret")
		req, _ := http.NewRequest(http.MethodPost, h.http.URL+"/oauth/token", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(clientID, clientSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		wantPair(t, decodeAnswer(t, resp))
	})
	if c := h.srv.Counters(); c.CodeExchanges != 3 || c.Authorizations != 5 {
		t.Fatalf("counters %+v", c)
	}
}

func TestAccessibleResources(t *testing.T) {
	h := newHarness(t, func(c *oauthsim.Config) { c.AccessTTL = time.Minute })
	a := h.refresh(h.srv.IssueRefreshToken())
	get := func(auth string) (int, []map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, h.http.URL+"/oauth/token/accessible-resources", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := get("Bearer " + a.AccessToken)
	if status != http.StatusOK || len(out) != 1 || out[0]["id"] != "cloud-1" || out[0]["url"] != "https://acme.atlassian.net" {
		t.Fatalf("got %d %v", status, out)
	}
	if sc, _ := out[0]["scopes"].([]any); len(sc) != 2 { // offline_access is not a site scope
		t.Fatalf("scopes %v", out[0]["scopes"])
	}
	for name, auth := range map[string]string{"none": "", "basic": "Basic eDp5", "unknown": "Bearer nope"} {
		if status, _ := get(auth); status != http.StatusUnauthorized {
			t.Fatalf("%s: status %d", name, status)
		}
	}
	h.clock.Advance(time.Minute)
	if status, _ := get("Bearer " + a.AccessToken); status != http.StatusUnauthorized {
		t.Fatalf("expired token: status %d", status)
	}
}

func TestConcurrentReuseWithinWindow(t *testing.T) {
	// Several clients racing with one refresh token all get pairs: one
	// refresh and the rest reuses, never invalid_grant.
	h := newHarness(t, nil)
	rt := h.srv.IssueRefreshToken()
	var wg sync.WaitGroup
	answers := make([]tokenAnswer, 8)
	for i := range answers {
		wg.Go(func() { answers[i] = h.refresh(rt) })
	}
	wg.Wait()
	for _, a := range answers {
		wantPair(t, a)
	}
	if c := h.srv.Counters(); c.Refreshes != 8 || c.Reuses != 7 || c.InvalidGrants != 0 {
		t.Fatalf("counters %+v", c)
	}
	if n := len(h.srv.Issued()); n != 8 {
		t.Fatalf("issued %d", n)
	}
}
