package deployments_test

import (
	"encoding/json"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/stage"
)

// registeredNames returns every series name a conflux worker can export:
// the families of metrics.New() (each observer called once so that the
// vectors have a child), the consumer-lag collector's, and a histogram's
// _bucket, _sum and _count.
func registeredNames(t *testing.T) map[string]bool {
	t.Helper()
	m := metrics.New()
	m.Settled("fetcher", stage.Acked, time.Millisecond)
	m.Request("GET", "/wiki/api/v2/pages", 200, time.Millisecond)
	m.Waited(time.Millisecond)
	m.Budget(10, true)
	m.Downloaded(1)
	m.Audited(1, 1, 1, 1, 1)
	m.TokenRefreshed(metrics.RefreshOK)
	m.ACLAccount(true)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[f.GetName()+s] = true
			}
		}
	}
	descs := make(chan *prometheus.Desc, 16)
	metrics.NewConsumerLag(nil, nil).Describe(descs)
	close(descs)
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range descs {
		if m := fq.FindStringSubmatch(d.String()); m != nil {
			names[m[1]] = true
		}
	}
	return names
}

// TestDashboardQueriesUseRegisteredMetrics reads every PromQL query of
// grafana/conflux.json and checks that each metric it names is one that
// pkg/metrics registers, and that the dashboard covers what an operator
// watches (stages, consumer lag, dead letters, Confluence calls and rate
// limits, attachment bytes, token refreshes, ACL email coverage, the ACL
// audit).
func TestDashboardQueriesUseRegisteredMetrics(t *testing.T) {
	b, err := os.ReadFile("grafana/conflux.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string
		Panels []struct {
			Type, Title string
			Targets     []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("grafana/conflux.json: %v", err)
	}
	known := registeredNames(t)
	used := map[string]bool{}
	series := regexp.MustCompile(`\bconflux_[a-z0-9_]+`)
	queries := 0
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			queries++
			found := series.FindAllString(tg.Expr, -1)
			if len(found) == 0 {
				t.Errorf("panel %q: query %q names no conflux metric", p.Title, tg.Expr)
			}
			if strings.Count(tg.Expr, "(") != strings.Count(tg.Expr, ")") || strings.Count(tg.Expr, "{") != strings.Count(tg.Expr, "}") {
				t.Errorf("panel %q: unbalanced query %q", p.Title, tg.Expr)
			}
			for _, name := range found {
				used[name] = true
				if !known[name] {
					t.Errorf("panel %q: %s is not a metric pkg/metrics registers", p.Title, name)
				}
			}
		}
	}
	for _, must := range []string{
		"conflux_stage_messages_total", "conflux_stage_handle_seconds_bucket", "conflux_consumer_pending",
		"conflux_consumer_ack_pending", "conflux_confluence_requests_total", "conflux_confluence_rate_limited_total",
		"conflux_confluence_wait_seconds_total", "conflux_confluence_budget_remaining",
		"conflux_attachment_bytes_downloaded_total", "conflux_audit_mismatches_total",
		"conflux_token_refreshes_total", "conflux_acl_accounts_total", "conflux_acl_accounts_with_email_total",
	} {
		if !used[must] {
			t.Errorf("the dashboard does not show %s", must)
		}
	}
	t.Logf("%d queries in %d panels use %d of the %d registered series names: %v", queries, len(dash.Panels), len(used), len(known), slices.Sorted(maps.Keys(used)))
}
