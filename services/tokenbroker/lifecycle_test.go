package tokenbroker_test

import (
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

// TestRunStopsCleanly: a replica that served, refreshed and held the lease
// leaves no goroutine behind once Run returns.
func TestRunStopsCleanly(t *testing.T) {
	s, nc, _ := single(t)
	sim := startSim(t, oauthsim.Config{AccessTTL: time.Hour})
	cfg := oauthConfig(sim, sim.OAuth().IssueRefreshToken())
	existing := goleak.IgnoreCurrent()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	r := startReplica(t, s.ClientURL(), "leakcheck", cfg, (&logSink{}).logger(),
		tokenbroker.WithHTTPClient(client), tokenbroker.WithHealthAddr("127.0.0.1:0"))
	credential(t, nc, cfg.Site)
	r.stop(t)
	// The server's own goroutines for the replica's consumers end with the
	// server, not with the replica: stop it (and the test's connection to
	// it) before looking.
	nc.Close()
	natstest.Shutdown(s)
	goleak.VerifyNone(t, existing)
}
