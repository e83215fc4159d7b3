package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// stdio serializes the tests that run Main in this process: they swap
// Stdout and os.Stderr and set environment variables. They still run
// beside the tests that run the conflux binary as a process.
var stdio sync.Mutex

// inProcess marks a test that runs Main in this process: parallel to the
// tests that run processes, one at a time among its kind.
func inProcess(t *testing.T) {
	t.Helper()
	t.Parallel()
	stdio.Lock()
	t.Cleanup(stdio.Unlock)
}

// setenv is t.Setenv for a test holding stdio (t.Setenv refuses parallel
// tests): it sets an environment variable until the test ends.
func setenv(t *testing.T, key, value string) {
	t.Helper()
	old, had := os.LookupEnv(key)
	if err := os.Setenv(key, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if had {
			_ = os.Setenv(key, old)
		} else {
			_ = os.Unsetenv(key)
		}
	})
}

// captureStderr runs fn with os.Stderr going to a buffer.
func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	fn()
	os.Stderr = old
	_ = w.Close()
	return <-done
}

func writeConfig(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conflux.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadConfigExitsTwoNamingTheKey(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", "site: https://acme.atlassian.net\nauth:\n  mode: api_token\n  emial: a@b.c\n", "auth.emial"},
		{"bad mode", "site: https://acme.atlassian.net\nauth:\n  mode: kerberos\n", "auth.mode"},
		{"bad size", "site: https://acme.atlassian.net\nauth:\n  mode: api_token\n  email: a@b.c\n  api_token: x\ncontent:\n  attachments:\n    max_size: lots\n", "max_size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeConfig(t, c.yaml)
			var code int
			stderr := captureStderr(t, func() { code = Main([]string{"run", "--once", "--config", path}) })
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr does not name %q:\n%s", c.want, stderr)
			}
		})
	}
}

func TestRunOnceCrawlsTheDemoTenant(t *testing.T) {
	inProcess(t)
	sim, err := confluencesim.Start(confluencesim.Demo(), confluencesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	path := writeConfig(t, "site: "+sim.URL()+`
auth:
  mode: api_token
  email: demo@example.com
  api_token: ${DEMO_TOKEN}
nats:
  data_dir: `+filepath.Join(dir, "data")+`
sink:
  dir: `+filepath.Join(dir, "out")+`
log:
  level: error
`)
	setenv(t, "DEMO_TOKEN", "demo-token")
	var out bytes.Buffer
	Stdout = &out
	defer func() { Stdout = os.Stdout }()
	var code int
	stderr := captureStderr(t, func() { code = Main([]string{"run", "--once", "--config", path}) })
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), stderr)
	}
	if !strings.Contains(out.String(), "complete in") || strings.Contains(out.String(), "failed (") {
		t.Errorf("summary:\n%s", out.String())
	}
	docs, _ := os.ReadDir(filepath.Join(dir, "out", "documents"))
	if len(docs) == 0 {
		t.Fatalf("no documents written")
	}
	if strings.Contains(stderr+out.String(), "demo-token") {
		t.Errorf("the API token appears in the output")
	}
}
