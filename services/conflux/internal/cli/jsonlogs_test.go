package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// TestJSONLogsStayJSONLines: with log.format json, everything the conflux
// binary writes to stderr during a crawl at debug level (the stages, the
// embedded NATS server, the NATS client's asynchronous errors, progress,
// the final error of a timed out run) is one JSON object a line, and
// durations are written as text ("1.5s"), not nanoseconds.
func TestJSONLogsStayJSONLines(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the conflux binary")
	}
	bin := buildConflux(t)
	faulty, err := confluencesim.Start(confluencesim.Demo(), confluencesim.Options{Faults: 0.1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer faulty.Close()
	slow, err := confluencesim.Start(confluencesim.Demo(), confluencesim.Options{Latency: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	cases := []struct {
		name, site string
		args       []string
		code       int
		say        string
	}{
		{name: "a crawl with faults", site: faulty.URL(), code: 0, say: `"msg":"crawl progress"`},
		{name: "a timed out crawl", site: slow.URL(), args: []string{"--timeout", "2s"}, code: 6, say: `timed out after 2s waiting for`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := t.TempDir()
			cfg := writeConfig(t, "site: "+c.site+`
auth:
  mode: api_token
  email: demo@example.com
  api_token: demo-token
nats:
  data_dir: `+filepath.Join(d, "data")+`
sink:
  dir: `+filepath.Join(d, "out")+`
log:
  level: debug
  format: json
`)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			var stdout, stderr bytes.Buffer
			cmd := exec.CommandContext(ctx, bin, append([]string{"run", "--once", "--config", cfg}, c.args...)...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if code := exitOf(err); code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, stderr.String())
			}
			durations := checkJSONLines(t, stderr.String())
			if !strings.Contains(stderr.String(), c.say) {
				t.Errorf("stderr does not say %s", c.say)
			}
			if c.code == 0 && durations == 0 {
				t.Errorf("no duration logged as text; the test proves nothing about durations")
			}
		})
	}
}

// checkJSONLines fails for each line of s that is not a JSON object, or
// that logs a known duration key as a number; it returns how many
// duration attributes it saw.
func checkJSONLines(t *testing.T, s string) int {
	t.Helper()
	n, durations := 0, 0
	for line := range strings.Lines(s) {
		n++
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line %d is not JSON: %q", n, strings.TrimSpace(line))
			continue
		}
		for _, k := range []string{"took", "delay", "retry_after", "eta", "elapsed", "wait"} {
			switch v := rec[k].(type) {
			case string:
				if _, err := time.ParseDuration(v); err == nil {
					durations++
				}
			case float64:
				t.Errorf("line %d: %s logged as the number %v, not a duration", n, k, v)
			}
		}
	}
	if n == 0 {
		t.Error("nothing on stderr")
	}
	return durations
}
