package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
	"github.com/conflux-dev/conflux/proto"
)

// A crawl in OAuth 2.0 (3LO) mode through the API gateway, with access
// tokens of four seconds, rotating refresh tokens with a short reuse window
// and three token broker replicas: every call authorized, no invalid_grant,
// about one refresh per access-token lifetime however many replicas run.
func TestOAuthCrawlWithRotatingTokensAndThreeBrokers(t *testing.T) {
	const ttl = 4 * time.Second // the client renews at 80 % of it; 2 s left too little under a loaded machine (a 401 on the retry)
	opts := confluencesim.Options{Latency: 5 * time.Millisecond, OAuth: oauthsim.Config{
		ClientID: "conflux-client", ClientSecret: "conflux-secret", AccessTTL: ttl, ReuseWindow: time.Second}}
	h := startWith(t, confluencesim.Generate(31, tenantSize), opts, func(c *config.Config, sim *confluencesim.Server) {
		c.Auth = config.Auth{Mode: "oauth2", OAuth2: config.OAuth2{
			ClientID: "conflux-client", ClientSecret: "conflux-secret",
			RefreshToken: config.Secret(sim.OAuth().IssueRefreshToken()),
			AuthURL:      sim.URL() + "/authorize", TokenURL: sim.URL() + "/oauth/token", APIURL: sim.URL(),
		}}
	})
	ctx, cancel := context.WithCancel(context.Background())
	more := make(chan error, 1)
	go func() { more <- h.app.RunStages(ctx, []string{proto.StageTokenBroker, proto.StageTokenBroker}) }()
	defer func() {
		cancel()
		if err := <-more; err != nil {
			t.Errorf("extra brokers: %v", err)
		}
	}()

	started := time.Now()
	res := h.crawl(proto.CrawlFull, false)
	took := time.Since(started)
	requireOK(t, res)
	checkSink(t, h, h.sim.Tenant())

	c := h.sim.Counters()
	if c.OAuth.InvalidGrants != 0 {
		t.Errorf("%d refreshes were refused with invalid_grant", c.OAuth.InvalidGrants)
	}
	if c.Gateway == 0 || c.Gateway < c.Requests/2 {
		t.Errorf("only %d of %d requests went through the gateway", c.Gateway, c.Requests)
	}
	// One refresh per lifetime, plus one at start; three replicas each
	// refreshing would triple it.
	limit := int(took/ttl) + 3
	if c.OAuth.Refreshes == 0 || c.OAuth.Refreshes > limit {
		t.Errorf("%d refreshes in %s with tokens of %s (want 1..%d)", c.OAuth.Refreshes, took.Round(time.Millisecond), ttl, limit)
	}
	// No secret in any log line: the client secret, and every access and
	// refresh token the authorization server issued.
	logs := h.logs.String()
	secrets := []string{"conflux-secret"}
	for _, is := range h.sim.OAuth().Issued() {
		secrets = append(secrets, is.AccessToken, is.RefreshToken)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("a secret (%.4s…) appears in the logs", s)
		}
	}
	if n := strings.Count(logs, "\n"); n < 20 {
		t.Errorf("only %d log lines: the scan proves nothing", n)
	}
	t.Logf("OAuth crawl: %d requests (%d through the gateway) in %s, %d refreshes, %d invalid_grant",
		c.Requests, c.Gateway, took.Round(time.Millisecond), c.OAuth.Refreshes, c.OAuth.InvalidGrants)
}
