// Package worker is what every stage binary shares: it reads the
// configuration, connects to the NATS cluster of nats.url, makes sure the
// topology exists, builds the Confluence client on the token broker's
// credentials, and runs one stage until SIGINT or SIGTERM.
package worker

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/logging"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/tokens"
	"github.com/conflux-dev/conflux/proto"
)

// Deps are what every stage service is built from. Client is the
// Confluence client (nil for stages that do not call Confluence); Logger
// defaults to slog.Default() where a stage allows it.
type Deps struct {
	NC     *nats.Conn
	JS     jetstream.JetStream
	Config config.Config
	Client *confluence.Client
	Logger *slog.Logger
	// Metrics observes the stage's runner (stage.WithObserver); nil
	// observes nothing.
	Metrics *metrics.Metrics
}

// Env is a stage's connection to the bus.
type Env struct {
	Config config.Config
	Log    *slog.Logger
	NC     *nats.Conn
	JS     jetstream.JetStream
	// Metrics observes the Confluence client; nil observes nothing.
	Metrics *metrics.Metrics
}

// Flags lets a stage add flags of its own to --config; they are parsed
// before run is called.
type Flags func(fs *flag.FlagSet)

// Main runs one stage as its own process: `<stage> --config conflux.yaml`.
// It exits 0 after a clean stop, 2 on a bad configuration, 1 otherwise.
func Main(stage string, run func(ctx context.Context, env Env) error, flags ...Flags) {
	fs := flag.NewFlagSet(stage, flag.ExitOnError)
	path := fs.String("config", "conflux.yaml", "configuration file (YAML)")
	for _, f := range flags {
		f(fs)
	}
	_ = fs.Parse(os.Args[1:])
	cfg, err := config.Load(*path)
	if err == nil && cfg.NATS.URL == "" {
		err = errors.New("nats.url is empty: a stage on its own needs a NATS server (conflux run embeds one)")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", stage, err)
		os.Exit(2)
	}
	log := logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format).With("stage", stage)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, stage, cfg, log, run); err != nil {
		log.Error("stage failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func serve(ctx context.Context, stage string, cfg config.Config, log *slog.Logger, run func(context.Context, Env) error) error {
	nc, err := bus.Connect(ctx, ConnectOptions(cfg.NATS, stage))
	if err != nil {
		return err
	}
	defer func() { _ = nc.Drain() }()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if err := bus.EnsureTopology(ctx, js, cfg.Site, proto.Options{Replicas: cfg.NATS.Replicas}); err != nil {
		return err
	}
	m := metrics.New()
	ServeMicro(ctx, nc, js, cfg, []string{stage}, log)
	if err := serveMetrics(ctx, stage, cfg, log, nc, js, m); err != nil {
		return err
	}
	return run(ctx, Env{Config: cfg, Log: log, NC: nc, JS: js, Metrics: m})
}

// ConnectOptions turns the nats section of the configuration into
// connection options.
func ConnectOptions(n config.NATS, name string) bus.ConnectOptions {
	return bus.ConnectOptions{URL: n.URL, User: n.User, Password: n.Password.Reveal(), Token: n.Token.Reveal(),
		NKeyFile: n.NKeyFile, CredsFile: n.CredsFile, TLSCA: n.TLS.CA, TLSCert: n.TLS.Cert, TLSKey: n.TLS.Key,
		Name: name}
}

// Client builds the Confluence client every stage uses: credentials from
// the token broker, a cluster-wide back-off — a 429 seen here is announced
// on the bus, and one announced by any replica pauses this client too —
// and this process's share of crawl.requests_per_second. The
// subscriptions end with ctx.
func (e Env) Client(ctx context.Context) (*confluence.Client, error) {
	sub := proto.For(e.Config.Site)
	var obs confluence.Observer
	if e.Metrics != nil {
		obs = e.Metrics
	}
	c, err := confluence.New(confluence.Options{
		Credentials: tokens.NewBrokerCredentials(e.NC, e.Config.Site,
			tokens.WithLogger(e.Log), tokens.WithPauseWhileUnavailable(2*time.Second)),
		Logger:   e.Log,
		Observer: obs,
		Rate:     e.Config.Crawl.RequestsPerSecond,
		Burst:    e.Config.Crawl.Burst,
		OnRateLimit: func(d time.Duration) {
			_ = e.NC.Publish(sub.RateLimit(), []byte(strconv.FormatInt(d.Milliseconds(), 10)))
		},
	})
	if err != nil {
		return nil, err
	}
	s, err := e.NC.Subscribe(sub.RateLimit(), func(m *nats.Msg) {
		ms, err := strconv.ParseInt(string(m.Data), 10, 64)
		if err != nil || ms <= 0 || ms > 10*60*1000 {
			return
		}
		c.PauseUntil(time.Now().Add(time.Duration(ms) * time.Millisecond))
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe to rate-limit signals: %w", err)
	}
	context.AfterFunc(ctx, func() { _ = s.Unsubscribe() })
	if err := shareRate(ctx, e.NC, sub.RateBudget(), e.Config.Crawl.RequestsPerSecond, c); err != nil {
		return nil, fmt.Errorf("subscribe to the rate budget: %w", err)
	}
	return c, nil
}
