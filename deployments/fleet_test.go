package deployments_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"

	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// stages are the `conflux worker` stages, each a Deployment of the chart
// and a service of the compose file, besides the scheduler.
var stages = proto.StageNames()

// TestFleetUnderAccounts is the fleet as deployed: the conflux binary
// built from this repository, one `conflux worker <stage>` process per
// stage and one `conflux worker scheduler`, each connecting as its own
// user of nats/accounts.conf (CONFLUX_NATS_USER, CONFLUX_NATS_PASSWORD),
// to a server running nats/cluster.conf. The scheduler requests a full
// crawl of the simulator and an ACL audit follows it. The crawl must
// complete, every worker must answer /healthz and /readyz on its
// metrics.addr, no permissions violation may show in the server's log or
// any worker's, and every worker must stop cleanly on SIGTERM.
func TestFleetUnderAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the conflux binary")
	}
	t.Parallel()
	dir := t.TempDir()
	bin, _ := buildBinaries(t)
	srv, violations := startAccountsServer(t)
	sim, err := confluencesim.Start(confluencesim.Generate(71, confluencesim.Size{Spaces: 2, PagesPerSpace: 12}), confluencesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sim.Close() }()
	out := filepath.Join(dir, "out")
	cfg := filepath.Join(dir, "conflux.yaml")
	yaml := "site: " + sim.URL() + `
auth:
  mode: api_token
  email: crawler@example.com
  api_token: crawler-token
nats:
  url: ` + srv.ClientURL() + `
sink:
  dir: ` + out + `
crawl:
  requests_per_second: 500
audit:
  sample: 5
metrics:
  addr: 127.0.0.1:0
log:
  level: info
  format: json
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	var procs []*proc
	defer func() {
		for _, p := range procs {
			_ = p.cmd.Process.Kill()
		}
	}()
	for _, name := range append(append([]string{}, stages...), "scheduler") {
		p := &proc{name: name}
		p.cmd = exec.Command(bin, "worker", name, "--config", cfg)
		p.cmd.Env = append(os.Environ(), "CONFLUX_NATS_USER="+name, "CONFLUX_NATS_PASSWORD="+password(name))
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.log
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	scheduler := procs[len(procs)-1]

	// The scheduler requests a full crawl at once, prints its summary when
	// it is complete, then the audit's line.
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(scheduler.stdout.String(), "audit ") && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	summary := scheduler.stdout.String()
	if !strings.Contains(summary, "(full) complete in") {
		for _, p := range procs {
			t.Logf("%s:\n%s", p.name, p.log.String())
		}
		t.Fatalf("no complete full crawl within 3 minutes; scheduler printed:\n%s", summary)
	}
	if !strings.Contains(summary, "audit ok") {
		t.Errorf("the audit after the crawl did not pass:\n%s", summary)
	}
	docs, _ := os.ReadDir(filepath.Join(out, "documents"))
	if len(docs) == 0 {
		t.Fatal("no documents written")
	}

	client := &http.Client{Timeout: 5 * time.Second}
	for _, p := range procs {
		addr := p.metricsAddr()
		if addr == "" {
			t.Errorf("%s logged no metrics address:\n%s", p.name, p.log.String())
			continue
		}
		for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
			if code := get(client, "http://"+addr+path); code != http.StatusOK {
				t.Errorf("%s: GET %s answered %d", p.name, path, code)
			}
		}
	}

	checkMicroStats(t, srv.ClientURL(), proto.StageFetcher)

	for _, v := range violations.all() {
		t.Errorf("nats-server: %s", v)
	}
	for _, p := range procs {
		if strings.Contains(strings.ToLower(p.log.String()), "permissions violation") {
			t.Errorf("%s logged a permissions violation:\n%s", p.name, p.log.String())
		}
	}

	for _, p := range procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s exited with %v:\n%s", p.name, err, p.log.String())
			}
		case <-time.After(60 * time.Second):
			t.Errorf("%s did not stop within 60s of SIGTERM", p.name)
		}
	}
	t.Logf("%d documents crawled by %d worker processes, each its own NATS user\n%s", len(docs), len(procs), summary)
}

// checkMicroStats sends $SRV.STATS.conflux-<stage> (what `nats micro stats
// conflux-<stage>` sends) as the operator and wants every replica's answer
// to carry the stage's consumers with their pending and redelivered counts.
func checkMicroStats(t *testing.T, url, stage string) {
	t.Helper()
	nc, err := nats.Connect(url, nats.UserInfo("operator", password("operator")))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	reply, err := nc.Request("$SRV.STATS."+worker.ServiceName(stage), nil, 10*time.Second)
	if err != nil {
		t.Errorf("$SRV.STATS.%s: %v", worker.ServiceName(stage), err)
		return
	}
	var stats micro.Stats
	if err := json.Unmarshal(reply.Data, &stats); err != nil || len(stats.Endpoints) == 0 {
		t.Errorf("$SRV.STATS.%s answered %s (%v)", worker.ServiceName(stage), reply.Data, err)
		return
	}
	var st worker.StageStatus
	if err := json.Unmarshal(stats.Endpoints[0].Data, &st); err != nil || st.Stage != stage || len(st.Consumers) == 0 || st.Consumers[0].Error != "" {
		t.Errorf("$SRV.STATS.%s data: %s (%v)", worker.ServiceName(stage), stats.Endpoints[0].Data, err)
		return
	}
	t.Logf("$SRV.STATS.%s: %s", worker.ServiceName(stage), stats.Endpoints[0].Data)
}

// proc is one worker process and what it printed.
type proc struct {
	name        string
	cmd         *exec.Cmd
	stdout, log syncBuffer
}

var listening = regexp.MustCompile(`^[0-9.]+:[0-9]+$`)

// metricsAddr is the address the worker logged it serves metrics on.
func (p *proc) metricsAddr() string {
	sc := bufio.NewScanner(strings.NewReader(p.log.String()))
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "metrics serving" && listening.MatchString(line.Addr) {
			return line.Addr
		}
	}
	return ""
}

func get(c *http.Client, url string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// syncBuffer is a bytes.Buffer that a process writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
