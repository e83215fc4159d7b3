package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// The operator contract with real processes: one `conflux worker <stage>`
// process per stage on a NATS server, `conflux crawl --wait` asking them
// for a crawl and exiting 0 when it is complete, `conflux status`, and a
// clean stop on SIGTERM.
func TestWorkersAsProcessesAndCrawlWait(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the conflux binary")
	}
	bin := buildConflux(t)
	dir := t.TempDir()
	srv := natstest.Start(t)
	sim, err := confluencesim.Start(confluencesim.Generate(71, confluencesim.Size{Spaces: 2, PagesPerSpace: 12}), confluencesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	out := filepath.Join(dir, "out")
	cfg := writeConfig(t, "site: "+sim.URL()+`
auth:
  mode: api_token
  email: crawler@example.com
  api_token: crawler-token
nats:
  url: `+srv.ClientURL()+`
  insecure_allow_unauthenticated: true   # the test server asks no credentials
sink:
  dir: `+out+`
log:
  level: warn
`)
	var workers []*exec.Cmd
	var logs []*bytes.Buffer
	for _, stage := range app.Stages {
		var buf bytes.Buffer
		cmd := exec.Command(bin, "worker", stage, "--config", cfg)
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		workers, logs = append(workers, cmd), append(logs, &buf)
	}
	defer func() {
		for _, w := range workers {
			_ = w.Process.Kill()
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	crawl := exec.CommandContext(ctx, bin, "crawl", "--wait", "--config", cfg)
	var crawlOut bytes.Buffer
	crawl.Stdout, crawl.Stderr = &crawlOut, &crawlOut
	if err := crawl.Run(); err != nil {
		t.Fatalf("conflux crawl --wait: %v\n%s", err, crawlOut.String())
	}
	if !strings.Contains(crawlOut.String(), "(full) complete in") {
		t.Errorf("crawl output:\n%s", crawlOut.String())
	}
	docs, _ := os.ReadDir(filepath.Join(out, "documents"))
	if len(docs) == 0 {
		t.Fatal("no documents written")
	}

	status, err := exec.CommandContext(ctx, bin, "status", "--config", cfg).CombinedOutput()
	if err != nil || !strings.Contains(string(status), "dead letters: 0") {
		t.Errorf("conflux status: %v\n%s", err, status)
	}

	for i, w := range workers {
		_ = w.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- w.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("worker %s exited with %v:\n%s", app.Stages[i], err, logs[i].String())
			}
		case <-time.After(60 * time.Second):
			t.Errorf("worker %s did not stop within 60s of SIGTERM", app.Stages[i])
		}
	}
	t.Logf("%d documents crawled by %d worker processes\n%s", len(docs), len(workers), crawlOut.String())
}
