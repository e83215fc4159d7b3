// Package tokenbroker is the token broker: the only conflux process that
// holds the Confluence secrets. Every stage asks it for a credential over
// NATS request/reply (see pkg/tokens) and never sees a secret of its own.
//
// In API-token mode it hands out the Basic credential of the configured
// account with the site URL as base URL.
//
// In OAuth 2.0 (3LO) mode it keeps the rotating refresh token in the
// tokens bucket (proto.BucketTokens, one key per site, msgpack State,
// written only with compare-and-set on the revision). Any number of
// replicas may run; at most one refreshes at a time, chosen by a lease in
// proto.BucketLeases. The refresher re-reads the state under the lease (if
// another replica already refreshed, it stops there), refreshes with
// golang.org/x/oauth2, and persists the rotated refresh token with
// kv.Update(rev) before anyone hands out the access token that came with
// it: every replica serves only what it read back from the bucket (Watch)
// or wrote itself. A replica that dies in the middle of a refresh loses
// nothing: the lease expires and another replica refreshes with the
// persisted token, which Atlassian accepts again within its 10-minute
// reuse window.
//
// Refreshes happen ahead of expiry (5 minutes before, or a fifth of the
// lifetime for short-lived tokens) while the token is in demand, on demand
// otherwise, and at least every KeepAlive (24 h) even when idle, so that
// Atlassian's 90-day inactivity expiry never strikes. The age of the token
// family is logged at each refresh, with a warning in the last 30 days
// before the 365-day absolute expiry.
//
// A refused refresh token (invalid_grant) is terminal: the broker stops
// refreshing, writes status "reauthorization needed" to the bucket, answers
// token requests with error 403 (tokens.ErrReauthorizationNeeded: stages
// pause), reports it on its health endpoint and in micro stats, and logs
// the oauth2-tokenfetcher command to run.
//
// The cloud id comes from accessible-resources (the entry whose url is the
// configured site); clients get the gateway base URL
// api_url + "/ex/confluence/" + cloudId.
//
// Secrets are never logged: a token appears in logs at most as the first 4
// hex characters of its SHA-256 (token_fp).
package tokenbroker

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// ServiceName is the micro service name every replica registers.
const ServiceName = "conflux-tokenbroker"

// Deps are what the broker needs. Client is not used (the broker calls
// only the OAuth endpoints) and may be nil.
type Deps = worker.Deps

// Service is one replica of the token broker.
type Service struct {
	d      Deps
	o      options
	log    *slog.Logger
	sub    proto.Subjects
	key    string // tokens bucket key
	lkey   string // lease key
	oauth  *oauth2.Config
	static *staticCredential // API-token mode

	tokensKV jetstream.KeyValue
	leasesKV jetstream.KeyValue
	leaseTTL time.Duration

	wake chan struct{} // asks the refresher to look now (buffered 1)

	mu           sync.Mutex
	st           State
	rev          uint64
	changed      chan struct{} // closed and replaced whenever st or the failure state changes
	lastDemand   time.Time
	force        string // fingerprint of an Authorization to replace now
	backoffUntil time.Time
	lastErr      string
	failures     int
	counters     Counters
	healthAddr   string
}

// Stage is the token broker as conflux runs it; its own binary also takes
// --health-addr (WithHealthAddr).
var Stage = worker.Stage{Name: proto.StageTokenBroker,
	New: func(_ context.Context, d Deps) (worker.Service, error) { return New(d) },
	Binary: func() (any, worker.Constructor) {
		var f struct {
			HealthAddr string `help:"Serve GET /healthz on this address (e.g. :8081)."`
		}
		return &f, func(_ context.Context, d Deps) (worker.Service, error) {
			return New(d, WithHealthAddr(f.HealthAddr))
		}
	},
}

// New checks the configuration and returns a replica; Run starts it.
func New(d Deps, opts ...Option) (*Service, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if d.NC == nil || d.JS == nil {
		return nil, errors.New("tokenbroker: NC and JS are required")
	}
	if d.Config.Site == "" {
		return nil, errors.New("tokenbroker: site is required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if err := checkTransport(d); err != nil {
		return nil, err
	}
	if o.holder == "" {
		o.holder = defaultHolder()
	}
	s := &Service{
		d: d, o: o, sub: proto.For(d.Config.Site),
		log:     d.Logger.With("stage", proto.StageTokenBroker, "holder", o.holder),
		key:     StateKey(d.Config.Site),
		lkey:    LeaseKey(d.Config.Site),
		wake:    make(chan struct{}, 1),
		changed: make(chan struct{}),
	}
	a := d.Config.Auth
	switch a.Mode {
	case config.AuthOAuth2:
		if a.OAuth2.ClientID == "" || !a.OAuth2.ClientSecret.IsSet() {
			return nil, errors.New("tokenbroker: auth.oauth2.client_id and auth.oauth2.client_secret are required in oauth2 mode")
		}
		s.oauth = &oauth2.Config{
			ClientID: a.OAuth2.ClientID, ClientSecret: a.OAuth2.ClientSecret.Reveal(),
			Endpoint: oauth2.Endpoint{
				AuthURL:   cmp.Or(a.OAuth2.AuthURL, config.DefaultAuthURL),
				TokenURL:  cmp.Or(a.OAuth2.TokenURL, config.DefaultTokenURL),
				AuthStyle: oauth2.AuthStyleInParams,
			},
		}
	case config.AuthAPIToken, "":
		if a.Email == "" || !a.APIToken.IsSet() {
			return nil, errors.New("tokenbroker: auth.email and auth.api_token are required in api_token mode")
		}
		s.static = newStaticCredential(d.Config.Site, a.Email, a.APIToken.Reveal())
	default:
		return nil, fmt.Errorf("tokenbroker: auth.mode %q is not one of api_token, oauth2", a.Mode)
	}
	return s, nil
}

// Run serves token requests until ctx is done, then stops the micro
// service, releases a held lease and returns. In OAuth 2.0 mode it first
// binds (or creates) the buckets and seeds the state from the configured
// refresh token.
func (s *Service) Run(ctx context.Context) error {
	if s.static != nil {
		return s.runStatic(ctx)
	}
	if err := s.bind(ctx); err != nil {
		return err
	}
	if err := s.seed(ctx); err != nil {
		return err
	}
	svc, err := s.serve()
	if err != nil {
		return err
	}
	health := s.startHealth()
	var wg sync.WaitGroup
	wg.Go(func() { s.watch(ctx) })
	wg.Go(func() { s.refreshLoop(ctx) })
	s.log.Info("token broker started", "mode", config.AuthOAuth2, "site", s.d.Config.Site, "subject", s.sub.TokenGet())
	<-ctx.Done()
	_ = svc.Stop()
	stopHealth(health)
	wg.Wait()
	s.log.Info("token broker stopped")
	return nil
}

// String names the replica; it never prints the secrets the Service holds.
func (s *Service) String() string { return "tokenbroker.Service{holder: " + s.o.holder + "}" }

// GoString is String, for %#v.
func (s *Service) GoString() string { return s.String() }

// LogValue keeps the secrets out of logs.
func (s *Service) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Holder returns this replica's id (the lease holder name).
func (s *Service) Holder() string { return s.o.holder }

func defaultHolder() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	host, _ := os.Hostname()
	if host == "" {
		host = "tokenbroker"
	}
	return proto.Token(host) + "-" + hex.EncodeToString(b)
}

// httpContext carries the broker's HTTP client to golang.org/x/oauth2.
func (s *Service) httpContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, s.o.httpClient)
}
