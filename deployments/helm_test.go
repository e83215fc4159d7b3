package deployments_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/proto"
)

const chartDir = "helm/conflux"

// workers are the chart's Deployments: every stage and the scheduler.
var workers = append(append([]string{}, stages...), "scheduler")

// chartValues are the values of a test install: the chart's defaults,
// except that NATS is an external URL (the NATS chart dependency cannot be
// downloaded here, so nats.enabled is false) and the Secret's passwords
// are set, which the chart requires.
func chartValues(extra map[string]any) map[string]any {
	pw := map[string]any{}
	for _, u := range append(append([]string{}, users...), "operator", "sys") {
		pw[u] = password(u)
	}
	v := map[string]any{
		"nats":    map[string]any{"enabled": false},
		"natsUrl": "nats://nats-1.nats:4222,nats://nats-2.nats:4222,nats://nats-3.nats:4222",
		"secret":  map[string]any{"apiToken": "test-api-token", "natsPasswords": pw},
	}
	maps.Copy(v, extra)
	return v
}

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	c, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart %s: %v", chartDir, err)
	}
	return c
}

// render is `helm template`: a client-only dry-run install.
func render(t *testing.T, vals map[string]any) (string, error) {
	t.Helper()
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = "conflux"
	install.Namespace = "crawl"
	install.Replace = true
	rel, err := install.Run(loadChart(t), vals)
	if err != nil {
		return "", err
	}
	r, ok := rel.(*release.Release)
	if !ok {
		return "", fmt.Errorf("release of type %T", rel)
	}
	return r.Manifest, nil
}

// object is one rendered manifest.
type object struct {
	Kind     string
	Metadata struct{ Name string }
	raw      []byte
}

func decode(t *testing.T, manifest string) []object {
	t.Helper()
	var out []object
	for _, doc := range strings.Split(manifest, "\n---") {
		if strings.TrimSpace(strings.TrimPrefix(doc, "---")) == "" {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, doc)
		}
		if o.Kind == "" {
			continue // a template that rendered only comments
		}
		o.raw = []byte(doc)
		out = append(out, o)
	}
	return out
}

func countKinds(objs []object) string {
	n := map[string]int{}
	for _, o := range objs {
		n[o.Kind]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n[k]))
	}
	return strings.Join(parts, " ")
}

// TestHelmLint runs `helm lint` on the chart with the test values: no
// error, and no warning (information, such as a missing icon, is
// allowed) but the NATS chart dependency's absence from
// charts/ (it is downloaded by `helm dependency build`).
func TestHelmLint(t *testing.T) {
	for name, extra := range map[string]map[string]any{
		"defaults":            nil,
		"keda+servicemonitor": {"keda": map[string]any{"enabled": true}, "serviceMonitor": map[string]any{"enabled": true}},
	} {
		t.Run(name, func(t *testing.T) {
			lint := action.NewLint()
			lint.Strict = true
			res := lint.Run([]string{chartDir}, chartValues(extra))
			for _, err := range res.Errors {
				if !strings.Contains(err.Error(), "missing these dependencies: nats") {
					t.Errorf("helm lint: %v", err)
				}
			}
			for _, m := range res.Messages {
				if m.Severity > support.InfoSev && !strings.Contains(m.Error(), "missing these dependencies: nats") {
					t.Errorf("helm lint: %s", m.Error())
				}
			}
			t.Logf("%d charts linted, %d messages", res.TotalChartsLinted, len(res.Messages))
		})
	}
}

// TestHelmTemplateDefaults renders the chart as `helm template` does and
// checks a Deployment per worker with its probes, non-root read-only
// security context, /tmp emptyDir, NATS user and secrets, and a
// conflux.yaml that conflux itself loads.
func TestHelmTemplateDefaults(t *testing.T) {
	manifest, err := render(t, chartValues(nil))
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	objs := decode(t, manifest)
	t.Logf("rendered with defaults (nats.enabled=false, external natsUrl): %s", countKinds(objs))

	deployments := map[string]appsv1.Deployment{}
	var cm corev1.ConfigMap
	for _, o := range objs {
		switch o.Kind {
		case "Deployment":
			var d appsv1.Deployment
			if err := yaml.UnmarshalStrict(o.raw, &d); err != nil {
				t.Fatalf("deployment %s: %v", o.Metadata.Name, err)
			}
			deployments[d.Name] = d
		case "ConfigMap":
			if err := yaml.UnmarshalStrict(o.raw, &cm); err != nil {
				t.Fatalf("configmap: %v", err)
			}
		case "ScaledObject", "ServiceMonitor":
			t.Errorf("%s %s rendered though not enabled", o.Kind, o.Metadata.Name)
		}
	}
	if len(deployments) != len(workers) {
		t.Errorf("%d deployments, want %d (one per worker): %v", len(deployments), len(workers), slices.Sorted(maps.Keys(deployments)))
	}
	for _, w := range workers {
		d, ok := deployments["conflux-"+w]
		if !ok {
			t.Errorf("no Deployment conflux-%s", w)
			continue
		}
		checkDeployment(t, w, d)
	}
	checkRenderedConfig(t, cm)

	// Without passwords the chart says which one is missing.
	vals := chartValues(nil)
	vals["secret"] = map[string]any{"apiToken": "x"}
	if _, err := render(t, vals); err == nil || !strings.Contains(err.Error(), "secret.natsPasswords.") {
		t.Errorf("rendered without NATS passwords: err = %v", err)
	}
	// Without NATS, the URL is required.
	vals = chartValues(nil)
	delete(vals, "natsUrl")
	if _, err := render(t, vals); err == nil || !strings.Contains(err.Error(), "natsUrl is required") {
		t.Errorf("rendered without NATS: err = %v", err)
	}
}

func checkDeployment(t *testing.T, worker string, d appsv1.Deployment) {
	t.Helper()
	spec := d.Spec.Template.Spec
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 1 {
		t.Errorf("%s: replicas %v", worker, d.Spec.Replicas)
	}
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 {
		t.Errorf("%s: pod securityContext %+v, want runAsNonRoot and runAsUser 65532", worker, psc)
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers", worker, len(spec.Containers))
	}
	c := spec.Containers[0]
	if got := strings.Join(c.Args, " "); got != "worker "+worker+" --config /etc/conflux/conflux.yaml" {
		t.Errorf("%s: args %q", worker, got)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: container securityContext %+v, want a read-only root fs and no privilege escalation", worker, sc)
	}
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "metrics" {
			t.Errorf("%s: %s probe %+v, want GET %s on port metrics", worker, name, p, path)
		}
	}
	probe("liveness", c.LivenessProbe, "/healthz")
	probe("readiness", c.ReadinessProbe, "/readyz")
	if len(c.Ports) != 1 || c.Ports[0].Name != "metrics" || c.Ports[0].ContainerPort != 9464 {
		t.Errorf("%s: ports %+v", worker, c.Ports)
	}
	tmp := false
	for _, m := range c.VolumeMounts {
		if m.MountPath != "/tmp" {
			continue
		}
		for _, v := range spec.Volumes {
			tmp = tmp || v.Name == m.Name && v.EmptyDir != nil
		}
	}
	if !tmp {
		t.Errorf("%s: no emptyDir on /tmp", worker)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	if env["CONFLUX_NATS_USER"].Value != worker {
		t.Errorf("%s: CONFLUX_NATS_USER %q", worker, env["CONFLUX_NATS_USER"].Value)
	}
	for name, key := range map[string]string{"CONFLUX_NATS_PASSWORD": worker + "-password", "CONFLUX_AUTH_API_TOKEN": "api-token",
		"CONFLUX_AUTH_OAUTH2_CLIENT_SECRET": "oauth2-client-secret", "CONFLUX_AUTH_OAUTH2_REFRESH_TOKEN": "oauth2-refresh-token",
		"CONFLUX_SINK_DSN": "postgres-dsn"} {
		e := env[name]
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Key != key {
			t.Errorf("%s: %s %+v, want it from the Secret's key %s", worker, name, e, key)
		}
	}
}

// checkRenderedConfig loads the rendered conflux.yaml with conflux's own
// loader, its secrets from the environment as in the pods.
func checkRenderedConfig(t *testing.T, cm corev1.ConfigMap) {
	t.Helper()
	data := cm.Data["conflux.yaml"]
	env := map[string]string{"CONFLUX_AUTH_API_TOKEN": "test-api-token", "CONFLUX_NATS_USER": "fetcher", "CONFLUX_NATS_PASSWORD": "x"}
	cfg, err := config.Parse([]byte(data), "conflux.yaml", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("the rendered conflux.yaml does not load: %v\n%s", err, data)
	}
	if cfg.Metrics.Addr != "0.0.0.0:9464" || !strings.HasPrefix(cfg.NATS.URL, "nats://nats-1.nats:4222") || cfg.NATS.Replicas != 3 {
		t.Errorf("rendered config: metrics.addr %q, nats.url %q, nats.replicas %d", cfg.Metrics.Addr, cfg.NATS.URL, cfg.NATS.Replicas)
	}
	if strings.Contains(data, "test-api-token") || strings.Contains(data, "password") {
		t.Errorf("a secret is in the ConfigMap:\n%s", data)
	}
}

// TestHelmTemplateKEDAAndServiceMonitor renders with keda.enabled and
// serviceMonitor.enabled: one ScaledObject per stage that consumes a
// stream, whose nats-jetstream triggers name exactly the durable
// consumers of proto.Consumers for the configured site, and a
// ServiceMonitor on the metrics port.
func TestHelmTemplateKEDAAndServiceMonitor(t *testing.T) {
	site := "https://Acme-Corp.atlassian.net"
	manifest, err := render(t, chartValues(map[string]any{
		"config":         map[string]any{"site": site},
		"keda":           map[string]any{"enabled": true},
		"serviceMonitor": map[string]any{"enabled": true},
	}))
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	objs := decode(t, manifest)
	t.Logf("rendered with KEDA and ServiceMonitor: %s", countKinds(objs))

	want := map[string]string{} // durable → stream
	wantStages := map[string]bool{}
	for _, c := range proto.Consumers(site, proto.Options{}) {
		want[c.Config.Durable] = c.Stream
		wantStages[c.Stage] = true
	}
	seen := map[string]bool{}
	scaled := map[string]bool{}
	monitors := 0
	for _, o := range objs {
		switch o.Kind {
		case "ScaledObject":
			var so struct {
				Spec struct {
					ScaleTargetRef  struct{ Name string } `json:"scaleTargetRef"`
					MinReplicaCount int                   `json:"minReplicaCount"`
					MaxReplicaCount int                   `json:"maxReplicaCount"`
					Triggers        []struct {
						Type     string
						Metadata map[string]string
					}
				}
			}
			if err := yaml.Unmarshal(o.raw, &so); err != nil {
				t.Fatal(err)
			}
			stage := strings.TrimPrefix(so.Spec.ScaleTargetRef.Name, "conflux-")
			scaled[stage] = true
			if so.Spec.MinReplicaCount < 1 || so.Spec.MaxReplicaCount < so.Spec.MinReplicaCount {
				t.Errorf("%s: replicas %d..%d", o.Metadata.Name, so.Spec.MinReplicaCount, so.Spec.MaxReplicaCount)
			}
			for _, tr := range so.Spec.Triggers {
				md := tr.Metadata
				stream, ok := want[md["consumer"]]
				switch {
				case tr.Type != "nats-jetstream":
					t.Errorf("%s: trigger type %q", o.Metadata.Name, tr.Type)
				case !ok:
					t.Errorf("%s: consumer %q is not a durable of proto.Consumers(%q)", o.Metadata.Name, md["consumer"], site)
				case stream != md["stream"]:
					t.Errorf("%s: consumer %s on stream %q, want %q", o.Metadata.Name, md["consumer"], md["stream"], stream)
				case !strings.HasPrefix(md["consumer"], stage+"_"):
					t.Errorf("%s scales %s on %s, another stage's consumer", o.Metadata.Name, stage, md["consumer"])
				}
				if md["account"] != "CONFLUX" || md["natsServerMonitoringEndpoint"] == "" || md["lagThreshold"] == "" {
					t.Errorf("%s: metadata %v", o.Metadata.Name, md)
				}
				seen[md["consumer"]] = true
			}
		case "ServiceMonitor":
			monitors++
			if !strings.Contains(string(o.raw), "port: metrics") {
				t.Errorf("ServiceMonitor does not scrape the metrics port:\n%s", o.raw)
			}
		}
	}
	for d := range want {
		if !seen[d] {
			t.Errorf("no ScaledObject trigger for the durable consumer %s", d)
		}
	}
	if !maps.Equal(scaled, wantStages) {
		t.Errorf("ScaledObjects for %v, want one per consuming stage %v", sorted(scaled), sorted(wantStages))
	}
	if monitors != 1 {
		t.Errorf("%d ServiceMonitors, want 1", monitors)
	}
	t.Logf("durable consumers scaled on: %v", sorted(seen))
}

func sorted(m map[string]bool) []string {
	out := slices.Collect(maps.Keys(m))
	sort.Strings(out)
	return out
}
