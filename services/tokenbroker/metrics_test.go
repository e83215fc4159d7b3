package tokenbroker_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

// TestRefreshesCountedByOutcome: conflux_token_refreshes_total counts a
// broker's refreshes by outcome — ok for the rotation at start, and
// reauthorization_needed (once, not retried) when Atlassian refuses the
// refresh token.
func TestRefreshesCountedByOutcome(t *testing.T) {
	_, nc, js := single(t)
	sim := startSim(t, oauthsim.Config{AccessTTL: time.Hour})
	logs := &logSink{}

	good := metrics.New()
	run(t, js, good, tokenbroker.Deps{NC: nc, Config: oauthConfig(sim, sim.OAuth().IssueRefreshToken()), Logger: logs.logger()})
	waitFor(t, 60*time.Second, "an ok refresh", func() bool { return refreshes(t, good, metrics.RefreshOK) >= 1 })
	if n := refreshes(t, good, metrics.RefreshFailed) + refreshes(t, good, metrics.RefreshReauthorize); n != 0 {
		t.Errorf("a good refresh token counted %v failed or refused refreshes", n)
	}

	// A second site's broker with a token Atlassian does not know.
	dead := oauthConfig(sim, "refresh-token-atlassian-does-not-know")
	dead.Site = "https://other.atlassian.net"
	bad := metrics.New()
	run(t, js, bad, tokenbroker.Deps{NC: nc, Config: dead, Logger: logs.logger()},
		tokenbroker.WithBackoff(50*time.Millisecond, 100*time.Millisecond))
	waitFor(t, 60*time.Second, "a refused refresh", func() bool { return refreshes(t, bad, metrics.RefreshReauthorize) >= 1 })
	time.Sleep(500 * time.Millisecond) // many back-off periods
	if n := refreshes(t, bad, metrics.RefreshReauthorize); n != 1 {
		t.Errorf("reauthorization_needed counted %v times, want 1 (terminal, not retried)", n)
	}
	if n := refreshes(t, bad, metrics.RefreshOK); n != 0 {
		t.Errorf("a refused token counted %v ok refreshes", n)
	}
}

// run starts a broker with its metrics until the test ends.
func run(t *testing.T, js jetstream.JetStream, m *metrics.Metrics, d tokenbroker.Deps, opts ...tokenbroker.Option) {
	t.Helper()
	d.JS, d.Metrics = js, m
	svc, err := tokenbroker.New(d, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("broker: %v", err)
		}
	})
}

// refreshes reads conflux_token_refreshes_total{outcome} from m.
func refreshes(t *testing.T, m *metrics.Metrics, outcome string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "conflux_token_refreshes_total" {
			continue
		}
		for _, x := range f.GetMetric() {
			for _, l := range x.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return x.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("conflux_token_refreshes_total{outcome=%q} not registered", outcome)
	return 0
}
