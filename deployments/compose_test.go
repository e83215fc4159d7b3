package deployments_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

const composeFile = "compose/compose.yaml"

func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	abs, err := filepath.Abs(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("conflux", true) })
}

// composeEnv is a .env of test passwords, as .env.example lists them.
func composeEnv() map[string]string {
	env := map[string]string{"GRAFANA_ADMIN_PASSWORD": "test-grafana"}
	for _, u := range append(append([]string{}, users...), "operator", "sys") {
		env[strings.ToUpper(u)+"_PASSWORD"] = password(u)
	}
	return env
}

// TestComposeFile loads compose/compose.yaml with the compose-go loader
// (the one docker compose uses) and checks: the three NATS nodes with a
// named volume each for JetStream, every worker and the scheduler as user
// 65532 on a read-only root with a /tmp tmpfs, its own NATS user,
// metrics.addr and a healthcheck on /readyz, Prometheus and Grafana with
// the dashboard, and every image pinned to a version (no latest).
func TestComposeFile(t *testing.T) {
	p, err := loadCompose(t, composeEnv())
	if err != nil {
		t.Fatalf("compose-go: %v", err)
	}
	names := p.ServiceNames()
	slices.Sort(names)
	t.Logf("services: %s; volumes: %d", strings.Join(names, " "), len(p.Volumes))
	want := append(append([]string{"nats-1", "nats-2", "nats-3", "prometheus", "grafana"}, stages...), "scheduler")
	for _, name := range want {
		if _, err := p.GetService(name); err != nil {
			t.Errorf("no service %s", name)
		}
	}
	for _, s := range p.Services {
		_, tag, ok := strings.Cut(s.Image, ":")
		if !ok || tag == "" || tag == "latest" || strings.Contains(tag, "$") {
			t.Errorf("%s: image %q is not pinned to a version", s.Name, s.Image)
		}
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s: no healthcheck", s.Name)
		}
	}
	for _, n := range []string{"nats-1", "nats-2", "nats-3"} {
		s, _ := p.GetService(n)
		if s.Image != "nats:2.12.1-alpine" {
			t.Errorf("%s: image %q, want nats:2.12.1-alpine", n, s.Image)
		}
		if !mountsNamedVolume(p, s, "/data") {
			t.Errorf("%s: JetStream's /data is not a named volume", n)
		}
		if v := s.Environment["NATS_SERVER_NAME"]; v == nil || *v != n {
			t.Errorf("%s: NATS_SERVER_NAME %v", n, v)
		}
		for _, u := range append(append([]string{}, users...), "operator", "sys") {
			if v := s.Environment[strings.ToUpper(u)+"_PASSWORD"]; v == nil || *v != password(u) {
				t.Errorf("%s: %s_PASSWORD not passed to the server", n, strings.ToUpper(u))
			}
		}
	}
	for _, w := range workers {
		s, err := p.GetService(w)
		if err != nil {
			continue
		}
		if s.User != "65532:65532" || !s.ReadOnly {
			t.Errorf("%s: user %q read_only %v, want 65532:65532 on a read-only root", w, s.User, s.ReadOnly)
		}
		if !slices.ContainsFunc(s.Tmpfs, func(m string) bool { return strings.HasPrefix(m, "/tmp") }) {
			t.Errorf("%s: no tmpfs on /tmp (%v)", w, s.Tmpfs)
		}
		if got := strings.Join(s.Command, " "); got != "worker "+w+" --config /etc/conflux/conflux.yaml" {
			t.Errorf("%s: command %q", w, got)
		}
		env := func(k string) string {
			if v := s.Environment[k]; v != nil {
				return *v
			}
			return ""
		}
		if env("CONFLUX_NATS_USER") != w || env("CONFLUX_NATS_PASSWORD") != password(w) {
			t.Errorf("%s: NATS user %q with password %v", w, env("CONFLUX_NATS_USER"), env("CONFLUX_NATS_PASSWORD") == password(w))
		}
		if env("CONFLUX_METRICS_ADDR") != "0.0.0.0:9464" || !strings.Contains(strings.Join(s.HealthCheck.Test, " "), ":9464/readyz") {
			t.Errorf("%s: metrics.addr %q, healthcheck %v", w, env("CONFLUX_METRICS_ADDR"), s.HealthCheck.Test)
		}
		for _, dep := range []string{"nats-1", "nats-2", "nats-3"} {
			if d, ok := s.DependsOn[dep]; !ok || d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s does not wait for %s to be healthy", w, dep)
			}
		}
	}
	sink, _ := p.GetService("sink")
	if !mountsNamedVolume(p, sink, "/out") {
		t.Error("sink: /out is not a named volume")
	}
	grafana, _ := p.GetService("grafana")
	dash := false
	for _, v := range grafana.Volumes {
		dash = dash || strings.HasSuffix(v.Source, filepath.Join("grafana", "conflux.json"))
	}
	if !dash {
		t.Error("grafana: the dashboard grafana/conflux.json is not provisioned")
	}

	// A missing password is an error naming it, not an empty password.
	env := composeEnv()
	delete(env, "FETCHER_PASSWORD")
	if _, err := loadCompose(t, env); err == nil || !strings.Contains(err.Error(), "FETCHER_PASSWORD") {
		t.Errorf("loaded without FETCHER_PASSWORD: %v", err)
	}
}

func mountsNamedVolume(p *types.Project, s types.ServiceConfig, target string) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Target == target {
			_, declared := p.Volumes[v.Source]
			return declared
		}
	}
	return false
}
