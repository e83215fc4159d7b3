package app_test

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

// TestMetricsAndHealth scrapes a crawling process as Prometheus and a
// Kubernetes probe would: ready once every consumer is bound, and after a
// crawl the counters say what the crawl did.
func TestMetricsAndHealth(t *testing.T) {
	addr := freeAddr(t)
	h := startWith(t, confluencesim.Generate(21, confluencesim.Size{Spaces: 3, PagesPerSpace: 12}), confluencesim.Options{},
		func(c *config.Config, _ *confluencesim.Server) { c.Metrics.Addr = addr })
	base := "http://" + addr

	waitFor(t, 30*time.Second, func() bool { code, _ := get(t, base+"/readyz"); return code == 200 })
	if code, body := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	res := h.crawl(proto.CrawlFull, false)
	requireOK(t, res)

	_, body := get(t, base+"/metrics")
	docs := len(h.documents())
	if got := sample(t, body, `conflux_stage_messages_total{outcome="acked",stage="sink"}`); got < float64(docs) {
		t.Errorf("sink acked %v messages, want at least the %d documents", got, docs)
	}
	calls := 0.0
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, "conflux_confluence_requests_total{") && strings.Contains(line, `status="200"`) {
			calls += value(t, line)
		}
	}
	if served := float64(h.sim.Counters().Requests); calls == 0 || calls > served {
		t.Errorf("metrics count %v answered calls; the simulator served %v", calls, served)
	}
	for _, want := range []string{
		`conflux_stage_handle_seconds_count{stage="permissions"}`,
		`conflux_confluence_requests_total{endpoint="/wiki/api/v2/spaces/{id}/pages"`,
		`conflux_consumer_pending{consumer=`,
		`conflux_attachment_bytes_downloaded_total `,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not so within %s", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sample returns the value of the series line starting with name.
func sample(t *testing.T, body, name string) float64 {
	t.Helper()
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, name+" ") {
			return value(t, line)
		}
	}
	t.Errorf("no series %s", name)
	return 0
}

func value(t *testing.T, line string) float64 {
	t.Helper()
	f := strings.Fields(line)
	v, err := strconv.ParseFloat(f[len(f)-1], 64)
	if err != nil {
		t.Errorf("bad sample line %q", line)
	}
	return v
}
