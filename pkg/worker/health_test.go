package worker_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

const site = "https://acme.atlassian.net"

// TestReadyzNamesWhatIsMissing: not ready until every consumer of the
// stage is bound, and not ready again once NATS is gone; the answer says
// which.
func TestReadyzNamesWhatIsMissing(t *testing.T) {
	srv := natstest.Start(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	if err := bus.EnsureTopology(context.Background(), js, site, proto.Options{}); err != nil {
		t.Fatal(err)
	}
	var mine []proto.Consumer
	for _, c := range proto.Consumers(site, proto.Options{}) {
		if c.Stage == proto.StagePermissions {
			mine = append(mine, c)
		}
	}
	m := metrics.New()
	web := httptest.NewServer(m.Handler(worker.ReadyChecks(nc, m, mine)...))
	defer web.Close()

	code, body := fetch(t, web.URL+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "consumers: not bound: "+mine[0].Config.Durable) {
		t.Errorf("before binding: %d %q", code, body)
	}
	for _, c := range mine {
		m.Bound(c.Stage, c.Config.Durable)
	}
	if code, body := fetch(t, web.URL+"/readyz"); code != http.StatusOK {
		t.Errorf("bound: %d %q", code, body)
	}
	nc.Close()
	if code, body := fetch(t, web.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "nats: not connected") {
		t.Errorf("NATS closed: %d %q", code, body)
	}
	if code, _ := fetch(t, web.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
