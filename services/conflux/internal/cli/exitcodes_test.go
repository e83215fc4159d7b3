package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/natstest"
)

// refusing is a proxy in front of the simulator that answers 400 to the
// requests whose path matches refuse: a Confluence that breaks on one
// space or one file.
func refusing(t *testing.T, site string, refuse *regexp.Regexp) string {
	t.Helper()
	target, err := url.Parse(site)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse != nil && refuse.MatchString(r.URL.Path) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"statusCode":400,"message":"refused by the test proxy"}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestExitCodes runs `conflux run --once` into each outcome the operator
// contract names and checks its exit code and what it says.
func TestExitCodes(t *testing.T) {
	inProcess(t)
	sim, err := confluencesim.Start(confluencesim.Demo(), confluencesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	slow, err := confluencesim.Start(confluencesim.Demo(), confluencesim.Options{Latency: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	eng := spaceID(t, sim, "ENG")
	cases := []struct {
		name, site, token, dataDir string
		args                       []string
		code                       int
		say                        string
	}{
		{name: "complete", site: sim.URL(), code: 0, say: "complete in"},
		{name: "a document failed", site: refusing(t, sim.URL(), regexp.MustCompile(`/child/attachment/[^/]+/download$`)),
			code: 1, say: "complete with failures"},
		{name: "a space's listing failed", site: refusing(t, sim.URL(), regexp.MustCompile(`/spaces/`+eng+`/pages$`)),
			code: 3, say: "partial"},
		{name: "credentials refused", site: sim.URL(), token: "wrong-token", code: 4, say: "check auth.email"},
		{name: "NATS unavailable", site: sim.URL(), dataDir: "/dev/null/data", code: 5, say: "NATS unavailable"},
		{name: "timed out", site: slow.URL(), args: []string{"--timeout", "2s"}, code: 6,
			say: "timed out after 2s waiting for the list of spaces (stage enumerator: 0 pending, 1 in flight)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "data")
			if c.dataDir != "" {
				data = c.dataDir
			}
			path := writeConfig(t, "site: "+c.site+`
auth:
  mode: api_token
  email: demo@example.com
  api_token: ${DEMO_TOKEN}
nats:
  data_dir: `+data+`
sink:
  dir: `+filepath.Join(dir, "out")+`
log:
  level: error
`)
			setenv(t, "DEMO_TOKEN", "demo-token")
			if c.token != "" {
				setenv(t, "DEMO_TOKEN", c.token)
			}
			var out bytes.Buffer
			Stdout = &out
			defer func() { Stdout = os.Stdout }()
			var code int
			started := time.Now()
			stderr := captureStderr(t, func() { code = Main(append([]string{"run", "--once", "--config", path}, c.args...)) })
			all := out.String() + stderr
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, all)
			}
			if !strings.Contains(all, c.say) {
				t.Errorf("output does not say %q:\n%s", c.say, all)
			}
			if c.code == 6 && time.Since(started) > 5*time.Second {
				t.Errorf("--timeout 2s ended after %s", time.Since(started).Round(time.Millisecond))
			}
		})
	}
}

func spaceID(t *testing.T, sim *confluencesim.Server, key string) string {
	t.Helper()
	for _, s := range sim.Tenant().Spaces {
		if s.Key == key {
			return s.ID
		}
	}
	t.Fatalf("no space %s", key)
	return ""
}

// TestCrawlWaitTimeoutSaysWhatWasPending: `conflux crawl --wait --timeout`
// with no worker taking the request ends within a second or two of the
// timeout, exits 6, and says what the crawl was still waiting for.
func TestCrawlWaitTimeoutSaysWhatWasPending(t *testing.T) {
	// Not parallel: it times how soon the command ends, which the crawls
	// of the parallel tests would slow down.
	srv := natstest.Start(t)
	dir := t.TempDir()
	path := writeConfig(t, `site: https://acme.atlassian.net
auth:
  mode: api_token
  email: demo@example.com
  api_token: demo-token
nats:
  url: `+srv.ClientURL()+`
  data_dir: `+filepath.Join(dir, "data")+`
log:
  level: error
`)
	var out bytes.Buffer
	Stdout = &out
	defer func() { Stdout = os.Stdout }()
	var code int
	started := time.Now()
	stderr := captureStderr(t, func() { code = Main([]string{"crawl", "--wait", "--timeout", "2s", "--config", path}) })
	took := time.Since(started)
	all := out.String() + stderr
	if code != 6 {
		t.Fatalf("exit %d, want 6\n%s", code, all)
	}
	want := regexp.MustCompile(`crawl \S+: timed out after 2s waiting for the list of spaces \(stage enumerator: 1 pending\)`)
	if !want.MatchString(all) {
		t.Errorf("output does not match %s:\n%s", want, all)
	}
	if took > 4*time.Second {
		t.Errorf("--timeout 2s ended after %s", took.Round(time.Millisecond))
	}
	t.Logf("ended after %s:\n%s", took.Round(time.Millisecond), all)
}
