// Package worker is what every stage shares: the dependencies a stage is
// built from (Deps), the shape of a stage (Stage, Service), the runner of
// one of its inputs (Deps.Runner), and Main, which runs one stage as its
// own process: it reads the configuration, connects to the NATS cluster of
// nats.url, makes sure the topology exists, builds the Confluence client
// on the token broker's credentials when the stage calls Confluence, and
// runs the stage until SIGINT or SIGTERM.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/tokens"
	"github.com/conflux-dev/conflux/proto"
)

// Deps are what every stage service is built from. Client is the
// Confluence client (nil for stages that do not call Confluence); Logger
// defaults to slog.Default() (see Log).
type Deps struct {
	NC     *nats.Conn
	JS     jetstream.JetStream
	Config config.Config
	Client *confluence.Client
	Logger *slog.Logger
	// Metrics observes the stage's runner (stage.WithObserver) and the
	// Confluence client; nil observes nothing.
	Metrics *metrics.Metrics
}

// Log returns the logger, slog.Default() when none is set.
func (d Deps) Log() *slog.Logger {
	if d.Logger == nil {
		return slog.Default()
	}
	return d.Logger
}

// Runner builds the runner of one input of a stage (its entry of
// proto.Stages names the stream, the durable and the concurrency), with
// the process's logger and metrics.
func (d Deps) Runner(stageName, input string, h stage.Handler, opts ...stage.Option) (*stage.Runner, error) {
	spec, _ := proto.Stage(stageName)
	for _, in := range spec.Inputs {
		if in.Name != input {
			continue
		}
		cfg := stage.Config{Stage: stageName, Site: d.Config.Site, Stream: in.Stream,
			Durable: in.Durable(stageName, d.Config.Site), Concurrency: d.Concurrency(stageName)}
		opts = append([]stage.Option{stage.WithLogger(d.Log()), stage.WithObserver(d.Metrics)}, opts...)
		return stage.NewRunner(d.JS, cfg, h, opts...)
	}
	return nil, fmt.Errorf("stage %s has no input %q in proto.Stages", stageName, input)
}

// ConnectOptions turns the nats section of the configuration into
// connection options.
func ConnectOptions(n config.NATS, name string) bus.ConnectOptions {
	return bus.ConnectOptions{URL: n.URL, User: n.User, Password: n.Password.Reveal(), Token: n.Token.Reveal(),
		NKeyFile: n.NKeyFile, CredsFile: n.CredsFile, TLSCA: n.TLS.CA, TLSCert: n.TLS.Cert, TLSKey: n.TLS.Key,
		Name: name}
}

// NewClient builds the Confluence client every stage uses: credentials
// from the token broker, a cluster-wide back-off — a 429 seen here is
// announced on the bus, and one announced by any replica pauses this
// client too — and this process's share of crawl.requests_per_second. It
// needs d's NC, Config, Logger and Metrics; the subscriptions end with
// ctx.
func NewClient(ctx context.Context, d Deps) (*confluence.Client, error) {
	sub := proto.For(d.Config.Site)
	var obs confluence.Observer
	if d.Metrics != nil {
		obs = d.Metrics
	}
	c, err := confluence.New(confluence.Options{
		Credentials: tokens.NewBrokerCredentials(d.NC, d.Config.Site,
			tokens.WithLogger(d.Log()), tokens.WithPauseWhileUnavailable(2*time.Second)),
		Logger:   d.Log(),
		Observer: obs,
		Rate:     d.Config.Crawl.RequestsPerSecond,
		Burst:    d.Config.Crawl.Burst,
		OnRateLimit: func(wait time.Duration) {
			_ = d.NC.Publish(sub.RateLimit(), []byte(strconv.FormatInt(wait.Milliseconds(), 10)))
		},
	})
	if err != nil {
		return nil, err
	}
	if err := followRateLimits(ctx, d.NC, sub.RateLimit(), c); err != nil {
		return nil, err
	}
	if err := shareRate(ctx, d.NC, sub.RateBudget(), d.Config.Crawl.RequestsPerSecond, c); err != nil {
		return nil, fmt.Errorf("subscribe to the rate budget: %w", err)
	}
	return c, nil
}

// followRateLimits pauses c whenever any replica announces a back-off on
// subject, until ctx is done.
func followRateLimits(ctx context.Context, nc *nats.Conn, subject string, c *confluence.Client) error {
	s, err := nc.Subscribe(subject, func(m *nats.Msg) {
		ms, err := strconv.ParseInt(string(m.Data), 10, 64)
		if err != nil || ms <= 0 || ms > 10*60*1000 {
			return
		}
		c.PauseUntil(time.Now().Add(time.Duration(ms) * time.Millisecond))
	})
	if err != nil {
		return fmt.Errorf("subscribe to rate-limit signals: %w", err)
	}
	context.AfterFunc(ctx, func() { _ = s.Unsubscribe() })
	return nil
}
