package tokenbroker_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

const (
	clientID     = "conflux-test-client"
	clientSecret = "client-secret-that-must-never-be-logged"
)

// logSink collects the JSON log lines of every replica of a test.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logSink) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.buf.String()), "\n")
}

func (l *logSink) contains(s string) bool {
	for _, line := range l.lines() {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func (l *logSink) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// assertNoSecrets fails when any log line holds the client secret or any
// refresh or access token the simulator issued (or extra secrets).
func assertNoSecrets(t *testing.T, logs *logSink, sim *oauthsim.Server, extra ...string) {
	t.Helper()
	secrets := append([]string{clientSecret}, extra...)
	for _, is := range sim.Issued() {
		secrets = append(secrets, is.AccessToken, is.RefreshToken)
	}
	lines := logs.lines()
	checked := 0
	for _, line := range lines {
		for _, s := range secrets {
			if s != "" && strings.Contains(line, s) {
				t.Errorf("a secret appears in a log line: %.120s…", line)
			}
		}
		checked++
	}
	if checked == 0 || len(secrets) < 2 {
		t.Fatalf("log scan checked %d lines for %d secrets: nothing to scan", checked, len(secrets))
	}
	t.Logf("log scan: %d lines, %d secrets, none found", checked, len(secrets))
}

// startSim serves a small tenant with the given OAuth settings.
func startSim(t *testing.T, oc oauthsim.Config) *confluencesim.Server {
	t.Helper()
	oc.ClientID, oc.ClientSecret = clientID, clientSecret
	sim, err := confluencesim.Start(confluencesim.Demo(), confluencesim.Options{OAuth: oc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// oauthConfig is the conflux configuration of a broker for sim.
func oauthConfig(sim *confluencesim.Server, refreshToken string) config.Config {
	cfg := config.Default()
	cfg.Site = sim.URL()
	cfg.Auth.Mode = config.AuthOAuth2
	cfg.Auth.OAuth2.ClientID = clientID
	cfg.Auth.OAuth2.ClientSecret = config.Secret(clientSecret)
	cfg.Auth.OAuth2.RefreshToken = config.Secret(refreshToken)
	cfg.Auth.OAuth2.AuthURL = sim.URL() + "/authorize"
	cfg.Auth.OAuth2.TokenURL = sim.URL() + "/oauth/token"
	cfg.Auth.OAuth2.APIURL = sim.URL()
	cfg.NATS.InsecureAllowUnauthenticated = true // natstest servers ask no credentials
	return cfg
}

// createBuckets makes the broker's buckets with a short lease TTL (so that
// a dead holder is replaced within seconds) and the given replicas.
func createBuckets(t *testing.T, js jetstream.JetStream, replicas int, leaseTTL time.Duration) {
	t.Helper()
	ctx := testCtx(t, 60*time.Second)
	for _, cfg := range proto.Buckets(proto.Options{Replicas: replicas}) {
		switch cfg.Bucket {
		case proto.BucketLeases:
			cfg.TTL = leaseTTL
			cfg.LimitMarkerTTL = time.Second
		case proto.BucketTokens:
		default:
			continue
		}
		var err error
		for attempt := 0; attempt < 20; attempt++ { // a fresh cluster may still be electing
			actx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err = js.CreateKeyValue(actx, cfg)
			cancel()
			if err == nil {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("create bucket %s: %v", cfg.Bucket, err)
		}
	}
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// replica is one running broker with its own NATS connection.
type replica struct {
	once   sync.Once
	name   string
	svc    *tokenbroker.Service
	nc     *nats.Conn
	cancel context.CancelFunc
	done   chan error
}

func startReplica(t *testing.T, url, name string, cfg config.Config, log *slog.Logger, opts ...tokenbroker.Option) *replica {
	t.Helper()
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("connect %s: %v", name, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]tokenbroker.Option{tokenbroker.WithHolder(name)}, opts...)
	svc, err := tokenbroker.New(tokenbroker.Deps{NC: nc, JS: js, Config: cfg, Logger: log.With("replica", name)}, opts...)
	if err != nil {
		t.Fatalf("new %s: %v", name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{name: name, svc: svc, nc: nc, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- svc.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop shuts the replica down gracefully (idempotent).
func (r *replica) stop(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("replica %s: %v", r.name, err)
			}
		case <-time.After(90 * time.Second):
			t.Errorf("replica %s did not stop", r.name)
		}
		r.nc.Close()
	})
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// trap is an HTTP transport that, once armed, lets one refresh reach the
// token endpoint, reads the answer, reports which replica made it and then
// withholds it until released: the replica "dies" between the refresh and
// its persistence.
type trap struct {
	name    string
	shared  *trapState
	forward http.RoundTripper
}

type trapState struct {
	mu      sync.Mutex
	armed   bool
	sprung  chan string   // the replica caught
	release chan struct{} // closed to end the withheld request
}

func newTrapState() *trapState {
	return &trapState{sprung: make(chan string, 1), release: make(chan struct{})}
}

func (ts *trapState) arm() { ts.mu.Lock(); ts.armed = true; ts.mu.Unlock() }

func (ts *trapState) take() bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.armed {
		return false
	}
	ts.armed = false
	return true
}

func (tr *trap) RoundTrip(req *http.Request) (*http.Response, error) {
	isRefresh := strings.HasSuffix(req.URL.Path, "/oauth/token")
	if !isRefresh || !tr.shared.take() {
		return tr.forward.RoundTrip(req)
	}
	resp, err := tr.forward.RoundTrip(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body) // the server has rotated; the answer is lost
		resp.Body.Close()
	}
	tr.shared.sprung <- tr.name
	<-tr.shared.release
	return nil, errors.New("trap: the replica died before it could use the answer")
}
