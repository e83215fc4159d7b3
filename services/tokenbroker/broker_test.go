package tokenbroker_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/tokens"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

// single starts one NATS server with the broker's buckets.
func single(t *testing.T) (*server.Server, *nats.Conn, jetstream.JetStream) {
	t.Helper()
	s := natstest.Start(t)
	nc, js := natstest.Connect(t, s)
	createBuckets(t, js, 1, 2*time.Second)
	return s, nc, js
}

func state(t *testing.T, js jetstream.JetStream, site string) tokenbroker.State {
	t.Helper()
	ctx := testCtx(t, 10*time.Second)
	kv, err := js.KeyValue(ctx, proto.BucketTokens)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, tokenbroker.StateKey(site))
	if err != nil {
		t.Fatal(err)
	}
	st, err := tokenbroker.DecodeState(e.Value())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func credential(t *testing.T, nc *nats.Conn, site string) confluence.Credential {
	t.Helper()
	c, err := tokens.NewBrokerCredentials(nc, site).Credential(testCtx(t, 60*time.Second))
	if err != nil {
		t.Fatalf("credential: %v", err)
	}
	return c
}

func TestRestartKeepsRefreshToken(t *testing.T) {
	dir := t.TempDir()
	s1 := natstest.StartDir(t, dir)
	nc1, js1 := natstest.Connect(t, s1)
	createBuckets(t, js1, 1, 2*time.Second)
	// A 1 ms reuse window: refreshing with any refresh token but the
	// latest revokes the grant, so surviving restarts proves the broker
	// used the persisted token, not the configured one.
	sim := startSim(t, oauthsim.Config{AccessTTL: time.Hour, ReuseWindow: time.Millisecond})
	seed := sim.OAuth().IssueRefreshToken()
	cfg := oauthConfig(sim, seed)
	logs := &logSink{}
	keepAlive := tokenbroker.WithKeepAlive(300 * time.Millisecond)
	refreshes := func() int { return sim.OAuth().Counters().Refreshes }

	r1 := startReplica(t, s1.ClientURL(), "first", cfg, logs.logger(), keepAlive)
	waitFor(t, 60*time.Second, "three refreshes", func() bool { return refreshes() >= 3 })
	r1.stop(t)

	t.Run("broker restart", func(t *testing.T) {
		before := refreshes()
		r2 := startReplica(t, s1.ClientURL(), "second", cfg, logs.logger(), keepAlive)
		waitFor(t, 60*time.Second, "two more refreshes", func() bool { return refreshes() >= before+2 })
		c := credential(t, nc1, cfg.Site)
		if !sim.OAuth().ValidAccessToken(c.Authorization) || c.BaseURL != sim.GatewayURL() {
			t.Fatalf("credential after restart not valid (base %s)", c.BaseURL)
		}
		r2.stop(t)
	})

	t.Run("NATS restart", func(t *testing.T) {
		rt := state(t, js1, cfg.Site).RefreshToken
		nc1.Close()
		natstest.Shutdown(s1)
		s2 := natstest.StartDir(t, dir)
		nc2, js2 := natstest.Connect(t, s2)
		if got := state(t, js2, cfg.Site).RefreshToken; got != rt {
			t.Fatal("the refresh token did not survive the NATS restart")
		}
		before := refreshes()
		startReplica(t, s2.ClientURL(), "third", cfg, logs.logger(), keepAlive)
		waitFor(t, 60*time.Second, "two more refreshes", func() bool { return refreshes() >= before+2 })
		if c := credential(t, nc2, cfg.Site); !sim.OAuth().ValidAccessToken(c.Authorization) {
			t.Fatal("credential after NATS restart not valid")
		}
	})
	c := sim.OAuth().Counters()
	t.Logf("refreshes %d, invalid_grant %d, reuses %d", c.Refreshes, c.InvalidGrants, c.Reuses)
	if c.InvalidGrants != 0 || c.Reuses != 0 {
		t.Fatalf("invalid_grant %d, reuses %d: a stale refresh token was used", c.InvalidGrants, c.Reuses)
	}
	assertNoSecrets(t, logs, sim.OAuth(), seed)
}

func TestInvalidGrantNeedsReauthorization(t *testing.T) {
	s, nc, js := single(t)
	sim := startSim(t, oauthsim.Config{AccessTTL: time.Hour})
	const dead = "refresh-token-atlassian-does-not-know"
	cfg := oauthConfig(sim, dead)
	logs := &logSink{}
	r := startReplica(t, s.ClientURL(), "broker", cfg, logs.logger(),
		tokenbroker.WithHealthAddr("127.0.0.1:0"), tokenbroker.WithBackoff(50*time.Millisecond, 100*time.Millisecond))
	waitFor(t, 60*time.Second, "status reauthorization needed", func() bool {
		return r.svc.Health().Status == tokenbroker.StatusReauthorizationNeeded
	})
	const command = "oauth2-tokenfetcher --api confluencecloud -i " + clientID

	t.Run("bucket", func(t *testing.T) {
		if st := state(t, js, cfg.Site); st.Status != tokenbroker.StatusReauthorizationNeeded || !strings.Contains(st.Reason, "invalid_grant") {
			t.Fatalf("state status %q reason %q", st.Status, st.Reason)
		}
	})
	t.Run("clients pause", func(t *testing.T) {
		_, err := tokens.NewBrokerCredentials(nc, cfg.Site).Credential(testCtx(t, 30*time.Second))
		if !errors.Is(err, tokens.ErrReauthorizationNeeded) || !strings.Contains(err.Error(), command) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("health endpoint", func(t *testing.T) {
		waitFor(t, 10*time.Second, "health listener", func() bool { return r.svc.HealthAddr() != "" })
		resp, err := http.Get("http://" + r.svc.HealthAddr() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h tokenbroker.Health
		_ = json.NewDecoder(resp.Body).Decode(&h)
		if resp.StatusCode != http.StatusServiceUnavailable || h.Status != tokenbroker.StatusReauthorizationNeeded || !strings.Contains(h.Command, command) {
			t.Fatalf("healthz %d %+v", resp.StatusCode, h)
		}
	})
	t.Run("micro health and stats", func(t *testing.T) {
		msg, err := nc.Request(r.svc.HealthSubject(), nil, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(msg.Data), `"status":"reauthorization needed"`) {
			t.Fatalf("health %s", msg.Data)
		}
		msg, err = nc.Request("$SRV.STATS."+tokenbroker.ServiceName, nil, 10*time.Second)
		if err != nil || !strings.Contains(string(msg.Data), "reauthorization needed") {
			t.Fatalf("stats %v %s", err, msg.Data)
		}
	})
	t.Run("logged with the command", func(t *testing.T) {
		if !logs.contains(command) || !logs.contains("reauthorization needed") {
			t.Fatalf("no log line with %q", command)
		}
	})
	t.Run("not retried", func(t *testing.T) {
		time.Sleep(time.Second) // many back-off periods
		if c := sim.OAuth().Counters(); c.InvalidGrants != 1 {
			t.Fatalf("invalid_grant %d: a terminal error was retried", c.InvalidGrants)
		}
	})
	r.stop(t)

	fresh := sim.OAuth().IssueRefreshToken()
	t.Run("a new consent recovers", func(t *testing.T) {
		r2 := startReplica(t, s.ClientURL(), "after-consent", oauthConfig(sim, fresh), logs.logger())

		if c := credential(t, nc, cfg.Site); !sim.OAuth().ValidAccessToken(c.Authorization) {
			t.Fatal("credential after the new consent not valid")
		}
		r2.stop(t)
	})
	t.Run("an old configured token is not taken for a new consent", func(t *testing.T) {
		startReplica(t, s.ClientURL(), "old-config", cfg, logs.logger()) // still the dead token
		if c := credential(t, nc, cfg.Site); !sim.OAuth().ValidAccessToken(c.Authorization) {
			t.Fatal("the dead configured token replaced the good state")
		}
		if st := state(t, js, cfg.Site); st.Status != tokenbroker.StatusOK {
			t.Fatalf("status %q", st.Status)
		}
	})
	assertNoSecrets(t, logs, sim.OAuth(), dead, fresh)
}

func TestSiteNotInGrant(t *testing.T) {
	s, _, _ := single(t)
	sim := startSim(t, oauthsim.Config{AccessTTL: time.Hour})
	cfg := oauthConfig(sim, sim.OAuth().IssueRefreshToken())
	cfg.Site = "https://other.atlassian.net"
	r := startReplica(t, s.ClientURL(), "broker", cfg, (&logSink{}).logger())
	waitFor(t, 60*time.Second, "status reauthorization needed", func() bool {
		h := r.svc.Health()
		return h.Status == tokenbroker.StatusReauthorizationNeeded && strings.Contains(h.Reason, "other.atlassian.net")
	})
}

func TestInvalidateForcesOneRefresh(t *testing.T) {
	s, nc, _ := single(t)
	sim := startSim(t, oauthsim.Config{AccessTTL: time.Hour})
	seed := sim.OAuth().IssueRefreshToken()
	cfg := oauthConfig(sim, seed)
	logs := &logSink{}
	startReplica(t, s.ClientURL(), "one", cfg, logs.logger(), tokenbroker.WithMinForcedInterval(0))
	startReplica(t, s.ClientURL(), "two", cfg, logs.logger(), tokenbroker.WithMinForcedInterval(0))
	ctx := testCtx(t, 60*time.Second)
	refreshes := func() int { return sim.OAuth().Counters().Refreshes }

	creds := tokens.NewBrokerCredentials(nc, cfg.Site)
	c1, err := creds.Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if refreshes() != 1 {
		t.Fatalf("refreshes %d after the first credential", refreshes())
	}
	if err := creds.Invalidate(ctx, c1); err != nil {
		t.Fatal(err)
	}
	c2, err := creds.Credential(ctx)
	if err != nil || c2.Authorization == c1.Authorization || !sim.OAuth().ValidAccessToken(c2.Authorization) {
		t.Fatalf("after invalidate: %v, same token %v", err, c2.Authorization == c1.Authorization)
	}
	if refreshes() != 2 {
		t.Fatalf("refreshes %d, want 2", refreshes())
	}

	t.Run("an old credential is ignored", func(t *testing.T) {
		other := tokens.NewBrokerCredentials(nc, cfg.Site)
		if err := other.Invalidate(ctx, c1); err != nil {
			t.Fatal(err)
		}
		if c, _ := other.Credential(ctx); c.Authorization != c2.Authorization || refreshes() != 2 {
			t.Fatalf("stale invalidation refreshed (refreshes %d)", refreshes())
		}
	})
	t.Run("concurrent invalidations of one credential refresh once", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				cn, err := nats.Connect(nc.ConnectedUrl())
				if err != nil {
					t.Error(err)
					return
				}
				defer cn.Close()
				if err := tokens.NewBrokerCredentials(cn, cfg.Site).Invalidate(ctx, c2); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if refreshes() != 3 {
			t.Fatalf("refreshes %d, want 3", refreshes())
		}
	})
	if c := sim.OAuth().Counters(); c.InvalidGrants != 0 || c.Reuses != 0 {
		t.Fatalf("counters %+v", c)
	}
	assertNoSecrets(t, logs, sim.OAuth(), seed)
}

func TestRefreshSchedule(t *testing.T) {
	t.Run("idle: no refresh ahead of expiry, one on demand", func(t *testing.T) {
		s, nc, _ := single(t)
		sim := startSim(t, oauthsim.Config{AccessTTL: time.Second})
		cfg := oauthConfig(sim, sim.OAuth().IssueRefreshToken())
		startReplica(t, s.ClientURL(), "idle", cfg, (&logSink{}).logger())
		refreshes := func() int { return sim.OAuth().Counters().Refreshes }
		waitFor(t, 60*time.Second, "the first refresh", func() bool { return refreshes() == 1 })
		time.Sleep(3 * time.Second) // three token lifetimes without a client
		if n := refreshes(); n != 1 {
			t.Fatalf("%d refreshes while idle", n)
		}
		if c := credential(t, nc, cfg.Site); !sim.OAuth().ValidAccessToken(c.Authorization) || refreshes() != 2 {
			t.Fatalf("on demand: refreshes %d", refreshes())
		}
	})
	t.Run("keep-alive refreshes an idle grant", func(t *testing.T) {
		s, _, _ := single(t)
		sim := startSim(t, oauthsim.Config{AccessTTL: time.Hour})
		cfg := oauthConfig(sim, sim.OAuth().IssueRefreshToken())
		startReplica(t, s.ClientURL(), "keepalive", cfg, (&logSink{}).logger(), tokenbroker.WithKeepAlive(300*time.Millisecond))
		waitFor(t, 60*time.Second, "four refreshes without a client", func() bool { return sim.OAuth().Counters().Refreshes >= 4 })
	})
}

func TestFamilyAgeWarning(t *testing.T) {
	s, _, js := single(t)
	sim := startSim(t, oauthsim.Config{AccessTTL: time.Hour})
	rt := sim.OAuth().IssueRefreshToken()
	cfg := oauthConfig(sim, rt)
	started := time.Now().Add(-340 * 24 * time.Hour)
	data, err := msgpack.Marshal(&tokenbroker.State{
		RefreshToken: rt, RotatedAt: started, FamilyStartedAt: started, Status: tokenbroker.StatusOK,
		Seeds: []string{tokens.Fingerprint(rt)},
	})
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(testCtx(t, 10*time.Second), proto.BucketTokens)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(testCtx(t, 10*time.Second), tokenbroker.StateKey(cfg.Site), data); err != nil {
		t.Fatal(err)
	}
	logs := &logSink{}
	r := startReplica(t, s.ClientURL(), "broker", cfg, logs.logger())
	waitFor(t, 60*time.Second, "a refresh", func() bool { return r.svc.Health().FamilyRefreshes == 1 })
	h := r.svc.Health()
	if h.FamilyAgeDays < 339.9 || h.FamilyExpiresInDays > 25.1 || h.FamilyExpiresInDays < 24.9 {
		t.Fatalf("family age %.1f days, expires in %.1f days", h.FamilyAgeDays, h.FamilyExpiresInDays)
	}
	waitFor(t, 10*time.Second, "the warning", func() bool {
		return logs.contains("nears Atlassian's absolute expiry") && logs.contains(`"expires_in_days":24`)
	})
}

func TestAPITokenMode(t *testing.T) {
	s, nc, _ := single(t)
	sim := startSim(t, oauthsim.Config{})
	cfg := config.Default()
	cfg.Site = sim.URL()
	cfg.Auth.Mode = config.AuthAPIToken
	cfg.Auth.Email = "demo@example.com"
	cfg.Auth.APIToken = "demo-token"
	cfg.NATS.InsecureAllowUnauthenticated = true
	logs := &logSink{}
	r := startReplica(t, s.ClientURL(), "basic", cfg, logs.logger())
	creds := tokens.NewBrokerCredentials(nc, cfg.Site)
	ctx := testCtx(t, 60*time.Second)
	c, err := creds.Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Authorization, "Basic ") || c.BaseURL != sim.URL() {
		t.Fatalf("credential %v", c)
	}
	if err := creds.Invalidate(ctx, c); err != nil {
		t.Fatal(err)
	}
	client, err := confluence.New(confluence.Options{Credentials: creds, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range client.Spaces(ctx, confluence.SpaceQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no space listed with the broker's Basic credential")
	}
	if h := r.svc.Health(); h.Status != "ok" || h.Mode != config.AuthAPIToken {
		t.Fatalf("health %+v", h)
	}
	for _, line := range logs.lines() {
		if strings.Contains(line, "demo-token") || strings.Contains(line, strings.TrimPrefix(c.Authorization, "Basic ")) {
			t.Fatalf("secret in log line %q", line)
		}
	}
}
