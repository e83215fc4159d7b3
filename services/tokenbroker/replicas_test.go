package tokenbroker_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/tokens"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

// persisted is one revision of the state key, as a watcher saw it.
type persisted struct {
	rev     uint64
	created time.Time
	st      tokenbroker.State
}

// history records every revision of the state key from now on.
type history struct {
	mu      sync.Mutex
	entries []persisted
}

func recordHistory(t *testing.T, js jetstream.JetStream, key string) *history {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	kv, err := js.KeyValue(ctx, proto.BucketTokens)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, key, jetstream.IncludeHistory())
	if err != nil {
		t.Fatal(err)
	}
	h := &history{}
	go func() {
		for e := range w.Updates() {
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			st, err := tokenbroker.DecodeState(e.Value())
			if err != nil {
				continue
			}
			h.mu.Lock()
			h.entries = append(h.entries, persisted{rev: e.Revision(), created: e.Created(), st: st})
			h.mu.Unlock()
		}
	}()
	return h
}

// firstWith returns the first revision holding the access token.
func (h *history) firstWith(match func(tokenbroker.State) bool) (persisted, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.entries {
		if match(p.st) {
			return p, true
		}
	}
	return persisted{}, false
}

// handout is a credential a worker received.
type handout struct {
	auth string
	at   time.Time
}

// TestReplicasRefreshOnce runs three broker replicas on a three-node
// cluster (R3 buckets) with 2-second access tokens while four workers
// crawl through the gateway, kills the replica that is refreshing in the
// middle of its refresh, and checks: no invalid_grant, one refresh per
// token lifetime (not one per replica), every handed-out token persisted
// before it was handed out, no failed request, no secret in the logs.
func TestReplicasRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for about 20 s")
	}
	const (
		ttl      = 2 * time.Second
		duration = 18 * time.Second
		workers  = 4
	)
	servers := natstest.StartCluster(t, 3)
	url := natstest.ClusterURL(servers)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	createBuckets(t, js, 3, 2*time.Second)

	sim := startSim(t, oauthsim.Config{AccessTTL: ttl, ReuseWindow: 20 * time.Second})
	seed := sim.OAuth().IssueRefreshToken()
	cfg := oauthConfig(sim, seed)
	hist := recordHistory(t, js, tokenbroker.StateKey(cfg.Site))
	logs := &logSink{}
	log := logs.logger()

	traps := newTrapState()
	replicas := map[string]*replica{}
	for _, name := range []string{"broker-a", "broker-b", "broker-c"} {
		client := &http.Client{Timeout: 30 * time.Second, Transport: &trap{name: name, shared: traps, forward: http.DefaultTransport}}
		replicas[name] = startReplica(t, url, name, cfg, log, tokenbroker.WithHTTPClient(client), tokenbroker.WithBackoff(100*time.Millisecond, time.Second))
	}

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var (
		mu       sync.Mutex
		handouts []handout
		failures atomic.Int64
		calls    atomic.Int64
	)
	var wg sync.WaitGroup
	for i := range workers {
		wnc, err := nats.Connect(url, nats.MaxReconnects(-1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(wnc.Close)
		creds := tokens.NewBrokerCredentials(wnc, cfg.Site, tokens.WithLogger(log))
		client, err := confluence.New(confluence.Options{Credentials: creds, Logger: log.With("worker", i)})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for ctx.Err() == nil {
				c, err := creds.Credential(ctx)
				if err != nil {
					if ctx.Err() == nil {
						failures.Add(1)
						t.Errorf("worker %d: credential: %v", i, err)
					}
					continue
				}
				mu.Lock()
				handouts = append(handouts, handout{auth: c.Authorization, at: time.Now()})
				mu.Unlock()
				for _, err := range client.Spaces(ctx, confluence.SpaceQuery{}) {
					calls.Add(1)
					if err != nil && ctx.Err() == nil {
						failures.Add(1)
						t.Errorf("worker %d: list spaces: %v", i, err)
					}
				}
				sleepCtx(ctx, 100*time.Millisecond)
			}
		})
	}

	// A third of the way in, kill whichever replica refreshes next, in
	// the middle of its refresh.
	sleepCtx(ctx, duration/3)
	traps.arm()
	var victim string
	select {
	case victim = <-traps.sprung:
	case <-ctx.Done():
		t.Fatal("no refresh happened after the trap was armed")
	}
	// A crash: the connection goes first, then the withheld answer is
	// dropped and the process ends.
	replicas[victim].nc.Close()
	close(traps.release)
	replicas[victim].stop(t)
	wg.Wait()

	c := sim.OAuth().Counters()
	perTTL := float64(c.Refreshes) / (float64(duration) / float64(ttl))
	t.Logf("%d replicas, %d workers, %s, access TTL %s: %d refreshes (duration/TTL = %.0f, ratio %.2f), %d reuses, %d invalid_grant, %d credentials handed out, %d gateway calls; killed %s mid-refresh",
		3, workers, duration, ttl, c.Refreshes, float64(duration)/float64(ttl), perTTL, c.Reuses, c.InvalidGrants, len(handouts), calls.Load(), victim)
	if c.InvalidGrants != 0 {
		t.Errorf("%d invalid_grant", c.InvalidGrants)
	}
	if perTTL < 0.4 || perTTL > 1.6 {
		t.Errorf("refreshes per token lifetime %.2f, want about 1 (not one per replica)", perTTL)
	}
	if c.Reuses != 1 {
		t.Errorf("reuses %d, want 1: the killed replica's rotation was lost and its successor reused the persisted token", c.Reuses)
	}
	if failures.Load() != 0 {
		t.Errorf("%d worker failures", failures.Load())
	}
	checkPersistedBeforeHandout(t, hist, handouts)
	checkRotationsPersisted(t, hist, sim.OAuth().Issued(), 1)
	assertNoSecrets(t, logs, sim.OAuth(), seed)
	if testing.Verbose() {
		for _, l := range logs.lines() {
			t.Log(l)
		}
	}
}

// checkPersistedBeforeHandout: every credential a worker received was in
// the bucket before the worker had it.
func checkPersistedBeforeHandout(t *testing.T, hist *history, handouts []handout) {
	t.Helper()
	if len(handouts) == 0 {
		t.Fatal("no credential handed out")
	}
	for _, h := range handouts {
		tok := strings.TrimPrefix(h.auth, "Bearer ")
		p, ok := hist.firstWith(func(st tokenbroker.State) bool { return st.AccessToken == tok })
		if !ok {
			t.Errorf("a handed-out access token was never persisted")
			continue
		}
		if p.created.After(h.at) {
			t.Errorf("access token persisted at %s, handed out at %s", p.created, h.at)
		}
	}
}

// checkRotationsPersisted: every refresh token the server issued reached
// the bucket, but for lost (rotations withheld from killed replicas).
func checkRotationsPersisted(t *testing.T, hist *history, issued []oauthsim.Issue, lost int) {
	t.Helper()
	missing := 0
	for _, is := range issued {
		if is.Grant != "refresh_token" {
			continue
		}
		if _, ok := hist.firstWith(func(st tokenbroker.State) bool { return st.RefreshToken == is.RefreshToken }); !ok {
			missing++
		}
	}
	if missing != lost {
		t.Errorf("%d rotated refresh tokens never persisted, want %d", missing, lost)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
