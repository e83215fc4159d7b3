package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/pkg/metrics"
)

// TestHandlerServesHealthReadinessAndProfiles: /healthz answers, /readyz
// names the failing check with a 503, /metrics is Prometheus text and
// /debug/pprof/heap is a profile.
func TestHandlerServesHealthReadinessAndProfiles(t *testing.T) {
	m := metrics.New()
	srv := httptest.NewServer(m.Handler(metrics.Check{Name: "nats", Fn: func(context.Context) error {
		return errors.New("not connected")
	}}))
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "nats: not connected") {
		t.Errorf("/readyz = %d %q, want 503 naming the check", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "# TYPE") {
		t.Errorf("/metrics = %d, %d bytes", code, len(body))
	}
	if code, body := get("/debug/pprof/heap?debug=1"); code != 200 || !strings.Contains(body, "heap profile") {
		t.Errorf("/debug/pprof/heap = %d, %.80q", code, body)
	}
}
