package tokenfetcher_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
	"github.com/conflux-dev/conflux/services/tokenfetcher"
)

const (
	clientID     = "app-client-1"
	clientSecret = "app-secret-never-printed"
)

func startSim(t *testing.T, mod func(*oauthsim.Config)) (*oauthsim.Server, string) {
	t.Helper()
	cfg := oauthsim.Config{ClientID: clientID, ClientSecret: clientSecret, AccessTTL: time.Hour}
	if mod != nil {
		mod(&cfg)
	}
	sim := oauthsim.New(cfg, []oauthsim.Site{{CloudID: "c1", URL: "https://acme.atlassian.net", Name: "acme"}})
	hs := httptest.NewServer(sim.Handler())
	t.Cleanup(hs.Close)
	return sim, hs.URL
}

// browser plays the user's browser: it loads the URL and follows every
// redirect, as a browser would, and keeps the last page.
type browser struct {
	tamper func(u *url.URL) // changes the authorization URL before loading it
	mu     sync.Mutex
	status int
	body   string
	err    error
	done   chan struct{}
}

func newBrowser() *browser { return &browser{done: make(chan struct{})} }

func (b *browser) open(raw string) error {
	go func() {
		defer close(b.done)
		u, err := url.Parse(raw)
		if err == nil && b.tamper != nil {
			b.tamper(u)
		}
		client := &http.Client{Timeout: 30 * time.Second}
		resp, err := client.Get(u.String())
		b.mu.Lock()
		defer b.mu.Unlock()
		if err != nil {
			b.err = err
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		b.status, b.body = resp.StatusCode, string(body)
	}()
	return nil
}

func (b *browser) page(t *testing.T) (int, string) {
	t.Helper()
	select {
	case <-b.done:
	case <-time.After(30 * time.Second):
		t.Fatal("browser never finished")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		t.Fatalf("browser: %v", b.err)
	}
	return b.status, b.body
}

func options(simURL string, b *browser, stdout, stderr io.Writer) tokenfetcher.Options {
	return tokenfetcher.Options{
		API: "confluencecloud", ClientID: clientID, ClientSecret: clientSecret, Port: 0,
		AuthURL: simURL + "/authorize", TokenURL: simURL + "/oauth/token", APIURL: simURL,
		Timeout: 60 * time.Second, OpenBrowser: b.open, Stdout: stdout, Stderr: stderr,
	}
}

func TestWholeFlow(t *testing.T) {
	sim, simURL := startSim(t, nil)
	b := newBrowser()
	var stdout, stderr bytes.Buffer
	tok, err := tokenfetcher.Run(context.Background(), options(simURL, b, &stdout, &stderr))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	status, body := b.page(t)
	if status != http.StatusOK || !strings.Contains(body, "Authorized") {
		t.Fatalf("browser ended on %d %q", status, body)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || !sim.ValidAccessToken(tok.AccessToken) {
		t.Fatalf("tokens %+v", tok)
	}
	for _, want := range []string{"access_token:  " + tok.AccessToken, "refresh_token: " + tok.RefreshToken,
		"mode: oauth2", `client_id: "` + clientID + `"`, `refresh_token: "` + tok.RefreshToken + `"`,
		"client_secret: ${CONFLUX_CLIENT_SECRET}", `token_url: "` + simURL + `/oauth/token"`,
		`auth_url: "` + simURL + `/authorize"`, `api_url: "` + simURL + `"`, `site: "https://acme.atlassian.net"`} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), clientSecret) {
		t.Error("the client secret was printed")
	}
	checkPrintedConfig(t, stdout.String(), simURL, tok.RefreshToken)
	if !strings.Contains(tok.Scope, "offline_access") || !strings.Contains(tok.Scope, "read:page:confluence") {
		t.Errorf("scope %q", tok.Scope)
	}
	// The refresh token is a live grant: the broker can use it.
	resp, err := http.PostForm(simURL+"/oauth/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {clientID}, "client_secret": {clientSecret}, "refresh_token": {tok.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh with the fetched token: %d", resp.StatusCode)
	}
	if c := sim.Counters(); c.Authorizations != 1 || c.CodeExchanges != 1 || c.Refreshes != 1 || c.ResourceCalls != 1 {
		t.Fatalf("counters %+v", c)
	}
}

func TestFailures(t *testing.T) {
	cases := []struct {
		name       string
		sim        func(*oauthsim.Config)
		opts       func(*tokenfetcher.Options)
		tamper     func(*url.URL)
		wantErr    error
		wantInPage string
	}{
		{name: "consent denied", sim: func(c *oauthsim.Config) { c.DenyConsent = true }, wantErr: tokenfetcher.ErrConsentDenied, wantInPage: "consent was refused"},
		{name: "wrong secret", opts: func(o *tokenfetcher.Options) { o.ClientSecret = "wrong" }, wantErr: tokenfetcher.ErrClientRejected, wantInPage: "check -i CLIENT_ID and -s SECRET"},
		{name: "forged state", tamper: func(u *url.URL) {
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
		}, wantErr: tokenfetcher.ErrStateMismatch, wantInPage: "state"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, simURL := startSim(t, tc.sim)
			b := newBrowser()
			b.tamper = tc.tamper
			var stdout bytes.Buffer
			o := options(simURL, b, &stdout, io.Discard)
			if tc.opts != nil {
				tc.opts(&o)
			}
			_, err := tokenfetcher.Run(context.Background(), o)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			status, body := b.page(t)
			if status != http.StatusBadRequest || !strings.Contains(body, tc.wantInPage) {
				t.Fatalf("browser ended on %d %q", status, body)
			}
			if stdout.Len() != 0 {
				t.Fatalf("printed tokens on failure: %q", stdout.String())
			}
		})
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, simURL := startSim(t, nil)
	o := options(simURL, newBrowser(), io.Discard, io.Discard)
	o.Port = ln.Addr().(*net.TCPAddr).Port
	_, err = tokenfetcher.Run(context.Background(), o)
	if !errors.Is(err, tokenfetcher.ErrPortInUse) || !strings.Contains(err.Error(), "--port") {
		t.Fatalf("err %v", err)
	}
}

func TestTimeout(t *testing.T) {
	_, simURL := startSim(t, nil)
	o := options(simURL, newBrowser(), io.Discard, io.Discard)
	o.OpenBrowser = func(string) error { return nil } // the user never comes back
	o.Timeout = 300 * time.Millisecond
	if _, err := tokenfetcher.Run(context.Background(), o); !errors.Is(err, tokenfetcher.ErrTimeout) {
		t.Fatalf("err %v", err)
	}
}

// lineWriter hands every written chunk to a channel.
type lineWriter struct{ ch chan string }

func (w lineWriter) Write(p []byte) (int, error) { w.ch <- string(p); return len(p), nil }

func TestNoBrowserPrintsTheURL(t *testing.T) {
	_, simURL := startSim(t, nil)
	b := newBrowser()
	o := options(simURL, b, io.Discard, nil)
	opened := false
	o.OpenBrowser = func(string) error { opened = true; return nil }
	o.NoBrowser = true
	out := lineWriter{ch: make(chan string, 16)}
	o.Stderr = out
	type result struct {
		tok tokenfetcher.Tokens
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := tokenfetcher.Run(context.Background(), o)
		done <- result{tok, err}
	}()
	var authURL string
	select {
	case s := <-out.ch:
		authURL = regexp.MustCompile(`https?://\S+`).FindString(s)
	case <-time.After(30 * time.Second):
		t.Fatal("no URL printed")
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{"audience": "api.atlassian.com", "client_id": clientID, "response_type": "code", "prompt": "consent"} {
		if q.Get(k) != want {
			t.Errorf("%s=%q, want %q", k, q.Get(k), want)
		}
	}
	if !strings.HasPrefix(q.Get("redirect_uri"), "http://localhost:") || len(q.Get("state")) < 16 {
		t.Errorf("redirect_uri %q state %q", q.Get("redirect_uri"), q.Get("state"))
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) != len(tokenfetcher.DefaultScopes) || scopes[len(scopes)-1] != "offline_access" {
		t.Errorf("scopes %v", scopes)
	}
	_ = b.open(authURL) // the user pastes the URL into a browser
	r := <-done
	if r.err != nil || r.tok.RefreshToken == "" {
		t.Fatalf("run: %v %+v", r.err, r.tok)
	}
	if opened {
		t.Fatal("opened a browser with --no-browser")
	}
}

func TestParseArgs(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "CONFLUX_CLIENT_SECRET" {
			return "from-env"
		}
		return ""
	}
	cases := []struct {
		name    string
		args    []string
		stdin   string
		want    func(tokenfetcher.Options) bool
		wantErr string
	}{
		{name: "short flags", args: []string{"--api", "confluencecloud", "-i", "id1", "-s", "sec"},
			want: func(o tokenfetcher.Options) bool {
				return o.ClientID == "id1" && o.ClientSecret == "sec" && o.Port == 13131 && !o.NoBrowser &&
					o.AuthURL == tokenfetcher.DefaultAuthURL && o.TokenURL == tokenfetcher.DefaultTokenURL
			}},
		{name: "all flags", args: []string{"--api=confluencecloud", "--client-id", "id1", "--port", "8080", "--no-browser",
			"--scopes", "read:page:confluence,read:space:confluence", "--auth-url", "http://x/a", "--token-url", "http://x/t"},
			want: func(o tokenfetcher.Options) bool {
				return o.ClientSecret == "from-env" && o.Port == 8080 && o.NoBrowser && len(o.Scopes) == 2 &&
					o.AuthURL == "http://x/a" && o.TokenURL == "http://x/t"
			}},
		{name: "secret from standard input", args: []string{"--api", "confluencecloud", "-i", "id1", "-s", "-"}, stdin: "  from-stdin \nrest\n",
			want: func(o tokenfetcher.Options) bool { return o.ClientSecret == "from-stdin" }},
		{name: "secret from a file", args: []string{"--api", "confluencecloud", "-i", "id1", "--secret-file", secretFile},
			want: func(o tokenfetcher.Options) bool { return o.ClientSecret == "from-file" }},
		{name: "api url", args: []string{"--api", "confluencecloud", "-i", "id1", "--api-url", "http://x/api"},
			want: func(o tokenfetcher.Options) bool { return o.APIURL == "http://x/api" && o.ClientSecret == "from-env" }},
		{name: "empty standard input", args: []string{"--api", "confluencecloud", "-i", "id1", "-s", "-"}, wantErr: "standard input: it is empty"},
		{name: "missing secret file", args: []string{"--api", "confluencecloud", "-i", "id1", "--secret-file", secretFile + ".nope"}, wantErr: "--secret-file"},
		{name: "two ways", args: []string{"--api", "confluencecloud", "-i", "id1", "-s", "x", "--secret-file", secretFile}, wantErr: "give the secret one way"},
		{name: "wrong api", args: []string{"--api", "jira", "-i", "x", "-s", "y"}, wantErr: "only \"confluencecloud\""},
		{name: "no client id", args: []string{"--api", "confluencecloud", "-s", "y"}, wantErr: "-i CLIENT_ID is required"},
		{name: "unknown flag", args: []string{"--bogus"}, wantErr: "unknown flag --bogus"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := tokenfetcher.ParseArgs(tc.args, env, strings.NewReader(tc.stdin), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.want(o) {
				t.Fatalf("got %+v, %v", o, err)
			}
		})
	}
	if _, err := tokenfetcher.ParseArgs([]string{"-h"}, nil, nil, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
}

// checkPrintedConfig: the printed conflux.yaml loads as it is (with the
// secret in its variable) and names the endpoints the run used, so that
// the broker calls the same API and not Atlassian's public one.
func checkPrintedConfig(t *testing.T, stdout, simURL, refresh string) {
	t.Helper()
	i := strings.Index(stdout, "# conflux.yaml")
	if i < 0 {
		t.Fatalf("no configuration printed:\n%s", stdout)
	}
	env := func(k string) (string, bool) {
		if k == "CONFLUX_CLIENT_SECRET" {
			return clientSecret, true
		}
		return "", false
	}
	cfg, err := config.Parse([]byte(stdout[i:]), "printed", env)
	if err != nil {
		t.Fatalf("the printed configuration does not load: %v\n%s", err, stdout[i:])
	}
	o := cfg.Auth.OAuth2
	if cfg.Site != "https://acme.atlassian.net" || cfg.Auth.Mode != "oauth2" || o.ClientID != clientID ||
		o.ClientSecret.Reveal() != clientSecret || o.RefreshToken.Reveal() != refresh || o.APIURL != simURL ||
		o.AuthURL != simURL+"/authorize" || o.TokenURL != simURL+"/oauth/token" {
		t.Errorf("printed configuration loads as site %q auth %+v", cfg.Site, cfg.Auth)
	}
}
