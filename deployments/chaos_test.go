package deployments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/sinktest"
	"github.com/conflux-dev/conflux/proto"
)

// chaosSeed drives every random choice of TestChaos (which worker is
// killed, when, which NATS node stops); CONFLUX_CHAOS_SEED replays a run.
func chaosSeed(t *testing.T) uint64 {
	if s := os.Getenv("CONFLUX_CHAOS_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CONFLUX_CHAOS_SEED=%q: %v", s, err)
		}
		return n
	}
	return 20261205
}

// TestChaos runs the fleet as deployed and breaks it while it crawls: a
// three-node NATS cluster (nats-server built from the module, each node
// nats/cluster.conf with nats/accounts.conf, on loopback ports), streams
// with three replicas, two `conflux worker <stage>` processes per stage
// (each its own NATS user) and the scheduler, which requests a full crawl.
// During the crawl random workers are SIGKILLed and started again, and
// one NATS node is stopped and started again. The crawl must complete;
// the file sink must then hold exactly the tenant's documents, field by
// field, each once at its tenant version, with nothing dead-lettered and
// nothing listed but not written; and the /metrics of every worker that
// is up must answer throughout (polled during the chaos).
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the conflux binary and three nats-servers")
	}
	seed := chaosSeed(t)
	t.Logf("chaos seed %d (replay: CONFLUX_CHAOS_SEED=%d go test -run TestChaos ./deployments)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x636f6e666c7578))
	t.Parallel()
	dir := t.TempDir()
	bin, natsBin := buildBinaries(t)

	cluster := startNATSCluster(t, natsBin, dir)
	tn := confluencesim.Generate(int64(seed%1000), confluencesim.Size{Spaces: 2, PagesPerSpace: 12})
	sim, err := confluencesim.Start(tn, confluencesim.Options{Latency: 15 * time.Millisecond})
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
  url: ` + cluster.url() + `
  replicas: 3
  ack_wait: 15s
sink:
  dir: ` + out + `
crawl:
  requests_per_second: 10
metrics:
  addr: 127.0.0.1:0
log:
  level: info
  format: json
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	f := &fleet{t: t, bin: bin, cfg: cfg}
	defer f.stopAll()
	for _, name := range stages {
		f.start(name)
		f.start(name)
	}
	f.waitServing(90 * time.Second)
	scheduler := f.start("scheduler")
	start := time.Now()

	// Poll every worker's /metrics while the chaos goes on.
	pollCtx, stopPolling := context.WithCancel(context.Background())
	polled := make(chan pollResult, 1)
	go func() { polled <- f.pollMetrics(pollCtx, 300*time.Millisecond) }()

	done := func() bool { return strings.Contains(scheduler.stdout.String(), "(full) complete in") }
	// Chaos for the first 20 s of the crawl (or until it completes), then
	// the fleet must finish it: the messages a killed worker held come
	// back after their ack wait (nats.ack_wait: 15s here rather than the
	// default 60s, so that the test waits less for them; the handlers
	// still renew it while they run, as with the default).
	kills, natsStopped := chaos(t, rng, f, cluster, done, time.Now().Add(20*time.Second))
	if kills < 3 || !strings.Contains(natsStopped, "started again") {
		t.Errorf("the crawl ended before the chaos could test it: %d kills, NATS node %s", kills, natsStopped)
	}
	deadline := time.Now().Add(150 * time.Second)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	stopPolling()
	pr := <-polled
	took := time.Since(start)
	summary := scheduler.stdout.String()
	if !done() {
		f.dumpLogs()
		t.Fatalf("no complete full crawl %s after the scheduler started (%d kills, NATS node stopped: %v); scheduler printed:\n%s",
			took.Round(time.Second), kills, natsStopped, summary)
	}
	t.Logf("crawl complete %s after the scheduler started, through %d worker kills and a NATS node stopped and started again (%s)",
		took.Round(100*time.Millisecond), kills, natsStopped)

	// Nothing lost or duplicated: every item listed was written once
	// (progress counts each item once), none failed or dead-lettered, and
	// the sink holds exactly the tenant's documents, each at its version.
	if m := regexp.MustCompile(`(\d+) items listed, (\d+) written, (\d+) dropped, (\d+) failed`).FindStringSubmatch(summary); m == nil ||
		m[1] != m[2] || m[3] != "0" || m[4] != "0" {
		t.Errorf("crawl summary: listed, written, dropped, failed = %v:\n%s", m, summary)
	}
	if n := deadLetters(t, cluster.url()); n != 0 {
		t.Errorf("%d messages dead-lettered", n)
	}
	docs := sinktest.Check(t, out, sim.URL(), tn, sinktest.Expected(tn, false))

	if len(pr.failures) > 0 {
		t.Errorf("/metrics of a running worker did not answer %d times of %d, e.g. %s", len(pr.failures), pr.polls, pr.failures[0])
	}
	if pr.polls < 20*len(stages) {
		t.Errorf("/metrics polled only %d times", pr.polls)
	}
	checkMicroStats(t, cluster.url(), proto.StageFetcher)
	t.Logf("%d documents equal the tenant; %d Confluence requests; %d /metrics polls answered during the chaos; %d kills (%s), NATS node %s\n%s",
		len(docs), sim.Counters().Requests, pr.polls, kills, f.killed(), natsStopped, summary)
}

// chaos kills a random stage worker every 1 to 2.5 s (SIGKILL) and starts
// it again half a second to 1.5 s later, and stops one NATS node for 6 s
// 1.5 to 3.5 s after the crawl was requested, until done or the deadline. It returns
// the number of kills and which node it stopped.
func chaos(t *testing.T, rng *rand.Rand, f *fleet, c *natsCluster, done func() bool, deadline time.Time) (int, string) {
	t.Helper()
	kills := 0
	node := rng.IntN(len(c.nodes))
	natsAt := time.Now().Add(time.Duration(1500+rng.IntN(2000)) * time.Millisecond)
	natsStopped := "not stopped (the crawl ended first)"
	var restartNATS time.Time
	var wg sync.WaitGroup
	defer wg.Wait()
	for !done() && time.Now().Before(deadline) {
		if !natsAt.IsZero() && time.Now().After(natsAt) {
			natsAt = time.Time{}
			c.stop(node)
			restartNATS = time.Now().Add(6 * time.Second)
			natsStopped = c.nodes[node].name + " stopped"
			t.Logf("chaos: %s stopped", c.nodes[node].name)
		}
		if !restartNATS.IsZero() && time.Now().After(restartNATS) {
			restartNATS = time.Time{}
			c.start(node)
			natsStopped = fmt.Sprintf("%s stopped for 6s and started again", c.nodes[node].name)
			t.Logf("chaos: %s started again", c.nodes[node].name)
		}
		victim := stages[rng.IntN(len(stages))]
		after := time.Duration(500+rng.IntN(1000)) * time.Millisecond
		if p := f.kill(victim, rng.IntN(2)); p != nil {
			kills++
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(after)
				f.restart(p)
			}()
		}
		time.Sleep(time.Duration(1000+rng.IntN(1500)) * time.Millisecond)
	}
	if !restartNATS.IsZero() {
		c.start(node)
		natsStopped = c.nodes[node].name + " stopped and started again"
	}
	return kills, natsStopped
}

// natsCluster is three nats-server processes forming one JetStream
// cluster on loopback ports.
type natsCluster struct {
	t     *testing.T
	bin   string
	nodes []*natsNode
}

type natsNode struct {
	name, conf      string
	client, monitor int
	cmd             *exec.Cmd
	exited          chan struct{}
	log             syncBuffer
}

// startNATSCluster writes one configuration per node from the real
// nats/cluster.conf — its own server name, client, monitoring and route
// ports on loopback, its store in dir — next to the real
// nats/accounts.conf, starts the three nodes and waits until the
// cluster has a JetStream meta leader.
func startNATSCluster(t *testing.T, bin, dir string) *natsCluster {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join("nats", "cluster.conf"))
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := os.ReadFile(filepath.Join("nats", "accounts.conf"))
	if err != nil {
		t.Fatal(err)
	}
	ports := freeTCPPorts(t, 9)
	var routes []string
	for i := range 3 {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[6+i]))
	}
	c := &natsCluster{t: t, bin: bin}
	for i := range 3 {
		n := &natsNode{name: fmt.Sprintf("nats-%d", i+1), client: ports[i], monitor: ports[3+i]}
		nodeDir := filepath.Join(dir, n.name)
		if err := os.MkdirAll(nodeDir, 0o700); err != nil {
			t.Fatal(err)
		}
		text := string(conf)
		for _, r := range []struct{ old, new string }{
			{"port: 4222", fmt.Sprintf("host: 127.0.0.1\nport: %d", n.client)},
			{"http_port: 8222", fmt.Sprintf("http: 127.0.0.1:%d", n.monitor)},
			{"store_dir: /data", "store_dir: " + strconv.Quote(filepath.Join(nodeDir, "jetstream"))},
			{"max_file_store: 50GB", "max_file_store: 1GB"},
			{"port: 6222", fmt.Sprintf("host: 127.0.0.1\n  port: %d", ports[6+i])},
		} {
			if !strings.Contains(text, r.old) {
				t.Fatalf("nats/cluster.conf no longer has %q", r.old)
			}
			text = strings.Replace(text, r.old, r.new, 1)
		}
		routesRE := regexp.MustCompile(`(?s)routes: \[.*?\]`)
		if !routesRE.MatchString(text) {
			t.Fatal("nats/cluster.conf has no routes")
		}
		text = routesRE.ReplaceAllLiteralString(text, "routes: [\n    "+strings.Join(routes, "\n    ")+"\n  ]")
		n.conf = filepath.Join(nodeDir, "cluster.conf")
		if err := os.WriteFile(n.conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(nodeDir, "accounts.conf"), accounts, 0o600); err != nil {
			t.Fatal(err)
		}
		c.nodes = append(c.nodes, n)
	}
	t.Cleanup(c.stopAll)
	for i := range c.nodes {
		c.start(i)
	}
	c.waitMetaLeader(60 * time.Second)
	return c
}

// url is the client URLs of the three nodes, as nats.url takes them.
func (c *natsCluster) url() string {
	var urls []string
	for _, n := range c.nodes {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", n.client))
	}
	return strings.Join(urls, ",")
}

func (c *natsCluster) start(i int) {
	n := c.nodes[i]
	n.cmd = exec.Command(c.bin, "-c", n.conf)
	n.cmd.Env = append(os.Environ(), "NATS_SERVER_NAME="+n.name)
	for _, u := range append(slices.Clone(users), "operator", "sys") {
		n.cmd.Env = append(n.cmd.Env, strings.ToUpper(u)+"_PASSWORD="+password(u))
	}
	n.cmd.Stdout, n.cmd.Stderr = &n.log, &n.log
	if err := n.cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", n.name, err)
	}
	n.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); close(exited) }(n.cmd, n.exited)
}

// stop stops a node as an operator would (SIGTERM) and waits for it.
func (c *natsCluster) stop(i int) {
	n := c.nodes[i]
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
	n.cmd = nil
}

func (c *natsCluster) stopAll() {
	for i := range c.nodes {
		c.stop(i)
	}
}

// waitMetaLeader waits until every node answers /healthz and sees the
// same JetStream meta leader with three peers.
func (c *natsCluster) waitMetaLeader(within time.Duration) {
	c.t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(within)
	for {
		ready := 0
		for _, n := range c.nodes {
			var jsz struct {
				Meta struct {
					Leader      string `json:"leader"`
					ClusterSize int    `json:"cluster_size"`
				} `json:"meta_cluster"`
			}
			resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/jsz", n.monitor))
			if err != nil {
				continue
			}
			err = json.NewDecoder(resp.Body).Decode(&jsz)
			_ = resp.Body.Close()
			if err == nil && jsz.Meta.Leader != "" && jsz.Meta.ClusterSize == 3 &&
				get(client, fmt.Sprintf("http://127.0.0.1:%d/healthz", n.monitor)) == http.StatusOK {
				ready++
			}
		}
		if ready == len(c.nodes) {
			return
		}
		if time.Now().After(deadline) {
			for _, n := range c.nodes {
				c.t.Logf("%s:\n%s", n.name, n.log.String())
			}
			c.t.Fatalf("the NATS cluster has no JetStream meta leader after %s", within)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// freeTCPPorts returns n loopback ports free at the time of the call.
func freeTCPPorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		_ = l.Close()
	}
	return ports
}

// fleet is the worker processes of TestChaos: every process ever started,
// and which of them run now.
type fleet struct {
	t        *testing.T
	bin, cfg string

	mu      sync.Mutex
	all     []*proc
	running map[string][]*proc // stage → its replicas up now
	exited  map[*proc]chan struct{}
	kills   map[string]int
}

// start starts one more `conflux worker <name>` as the NATS user name.
func (f *fleet) start(name string) *proc {
	f.t.Helper()
	p := &proc{name: name}
	p.cmd = exec.Command(f.bin, "worker", name, "--config", f.cfg)
	p.cmd.Env = append(os.Environ(), "CONFLUX_NATS_USER="+name, "CONFLUX_NATS_PASSWORD="+password(name))
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.log
	if err := p.cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(exited) }()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running == nil {
		f.running, f.exited, f.kills = map[string][]*proc{}, map[*proc]chan struct{}{}, map[string]int{}
	}
	f.all = append(f.all, p)
	f.running[name] = append(f.running[name], p)
	f.exited[p] = exited
	return p
}

// kill SIGKILLs the i-th running replica of a stage (none when fewer
// run) and waits for it to be gone; it is no longer polled from then on.
func (f *fleet) kill(name string, i int) *proc {
	f.mu.Lock()
	reps := f.running[name]
	if i >= len(reps) {
		f.mu.Unlock()
		return nil
	}
	p := reps[i]
	f.running[name] = slices.Delete(slices.Clone(reps), i, i+1)
	exited := f.exited[p]
	f.kills[name]++
	f.mu.Unlock()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	return p
}

// restart starts a new process in place of a killed one.
func (f *fleet) restart(p *proc) { f.start(p.name) }

// killed says how many times each stage was killed.
func (f *fleet) killed() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var parts []string
	for _, s := range stages {
		if n := f.kills[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, n))
		}
	}
	return strings.Join(parts, ", ")
}

// up lists the processes running now.
func (f *fleet) up() []*proc {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*proc
	for _, reps := range f.running {
		out = append(out, reps...)
	}
	return out
}

// waitServing waits until every running worker logged its metrics
// address and answers /readyz.
func (f *fleet) waitServing(within time.Duration) {
	f.t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(within)
	for _, p := range f.up() {
		for {
			if addr := p.metricsAddr(); addr != "" && get(client, "http://"+addr+"/readyz") == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				f.dumpLogs()
				f.t.Fatalf("%s not ready within %s", p.name, within)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

type pollResult struct {
	polls    int
	failures []string
}

// pollMetrics GETs /metrics of every worker up (once it logged its
// address) every interval until ctx is done. A worker killed while its
// answer was awaited does not count.
func (f *fleet) pollMetrics(ctx context.Context, every time.Duration) pollResult {
	client := &http.Client{Timeout: 10 * time.Second}
	var r pollResult
	for ctx.Err() == nil {
		for _, p := range f.up() {
			addr := p.metricsAddr()
			if addr == "" {
				continue // starting
			}
			code := get(client, "http://"+addr+"/metrics")
			if code == http.StatusOK {
				r.polls++
				continue
			}
			if slices.Contains(f.up(), p) {
				r.failures = append(r.failures, fmt.Sprintf("%s at %s answered %d at %s", p.name, addr, code, time.Now().Format(time.TimeOnly)))
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(every):
		}
	}
	return r
}

// stopAll ends every process still running.
func (f *fleet) stopAll() {
	for _, p := range f.up() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range f.up() {
		select {
		case <-f.exited[p]:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
		}
	}
}

// dumpLogs logs the last lines of every process's log.
func (f *fleet) dumpLogs() {
	f.mu.Lock()
	all := slices.Clone(f.all)
	f.mu.Unlock()
	for _, p := range all {
		lines := strings.Split(strings.TrimSpace(p.log.String()), "\n")
		f.t.Logf("%s (pid %d), last lines:\n%s", p.name, p.cmd.Process.Pid, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
}

// deadLetters counts the messages in the dead-letter stream.
func deadLetters(t *testing.T, url string) uint64 {
	t.Helper()
	nc, err := nats.Connect(url, nats.UserInfo("operator", password("operator")))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, proto.StreamDeadLetters)
	if err != nil {
		t.Fatalf("dead-letter stream: %v", err)
	}
	return s.CachedInfo().State.Msgs
}
