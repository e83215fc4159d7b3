// Package app wires conflux together: it connects to NATS (or starts the
// embedded server), creates the topology, builds the Confluence client on
// the token broker's credentials, and runs any set of stages in one
// process. The CLI commands are thin layers over it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/audit"
	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// App is a connection to the bus with the topology in place.
type App struct {
	Config config.Config
	Log    *slog.Logger
	NC     *nats.Conn
	JS     jetstream.JetStream
	Sub    proto.Subjects
	// Metrics observes the stages and the Confluence client of this
	// process; served on metrics.addr by RunStages.
	Metrics *metrics.Metrics
	// MetricsAddr is where metrics are served once RunStages started
	// them ("" when metrics.addr is empty).
	MetricsAddr string
	// OnAudit receives every audit report (a hook for metrics); nil: none.
	OnAudit func(audit.Report)

	embedded *server.Server
	urlFile  string // <data_dir>/nats.url while the embedded server listens

	// The one Confluence client of the process (Client), whose rate-limit
	// subscriptions last until Close.
	clientMu sync.Mutex
	client   *confluence.Client
	life     context.Context
	endLife  context.CancelFunc
}

// Open connects to nats.url, or starts the embedded server when it is
// empty, and makes sure every stream, consumer and bucket exists.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	a := &App{Config: cfg, Log: log, Sub: proto.For(cfg.Site), Metrics: metrics.New()}
	a.life, a.endLife = context.WithCancel(context.WithoutCancel(ctx))
	var err error
	if cfg.NATS.URL == "" {
		err = a.startEmbedded()
	} else {
		a.NC, err = bus.Connect(ctx, worker.ConnectOptions(cfg.NATS, "conflux"))
	}
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("connect to NATS: %w: %w", ErrNATSUnavailable, err)
	}
	a.JS, err = jetstream.New(a.NC)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	topo := proto.Options{Replicas: cfg.NATS.Replicas, AckWait: cfg.NATS.AckWait.Std()}
	if err := bus.EnsureTopology(ctx, a.JS, cfg.Site, topo); err != nil {
		a.Close()
		return nil, fmt.Errorf("create topology: %w", err)
	}
	return a, nil
}

// Close drains the connection and stops the embedded server.
func (a *App) Close() {
	a.endLife()
	if a.urlFile != "" {
		_ = os.Remove(a.urlFile)
	}
	if a.NC != nil {
		_ = a.NC.Drain()
		for i := 0; i < 50 && !a.NC.IsClosed(); i++ {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if a.embedded != nil {
		a.embedded.Shutdown()
		a.embedded.WaitForShutdown()
	}
}

// Client returns the Confluence client every stage of the process and the
// audit use (see worker.NewClient), built on the first call: one client,
// so the process counts once in the fleet's rate budget and its 429
// pauses hold every caller.
func (a *App) Client(ctx context.Context) (*confluence.Client, error) {
	a.clientMu.Lock()
	defer a.clientMu.Unlock()
	if a.client != nil {
		return a.client, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := worker.NewClient(a.life, worker.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Logger: a.Log, Metrics: a.Metrics})
	if err != nil {
		return nil, err
	}
	a.client = c
	return c, nil
}

// Request publishes a crawl request and returns its id.
func (a *App) Request(ctx context.Context, kind proto.CrawlKind, force bool) (string, error) {
	now := time.Now().UTC()
	id := now.Format("20060102T150405") + "-" + strconv.FormatInt(now.UnixNano()%1e6, 36)
	req := &proto.CrawlRequested{CrawlID: id, Site: a.Config.Site, Kind: kind, RequestedAt: now, Force: force}
	if err := bus.NewPublisher(a.JS).Publish(ctx, a.Sub.CrawlRequested(), req, "crawl:"+id); err != nil {
		return "", fmt.Errorf("request crawl: %w", err)
	}
	return id, nil
}

// The outcomes of a crawl that is not a plain success (see Outcome), and
// the errors of the app around it. The CLI maps each to its exit code.
var (
	// ErrCrawlFailed says a crawl completed with some documents failed.
	ErrCrawlFailed = errors.New("crawl completed with failures")
	// ErrCrawlPartial says a space's listing (or the space listing itself)
	// failed: the other spaces are written, nothing of it was deleted.
	ErrCrawlPartial = errors.New("crawl partial: a listing failed")
	// ErrCredentialsRefused says Confluence refused the credentials.
	ErrCredentialsRefused = errors.New("confluence refused the credentials")
	// ErrNATSUnavailable says NATS could not be reached or started.
	ErrNATSUnavailable = errors.New("NATS unavailable")
)

// Outcome is the error a finished crawl ends with: nil when complete with
// nothing failed; ErrCredentialsRefused, ErrCrawlPartial or ErrCrawlFailed
// otherwise, the first that applies.
func Outcome(f proto.CrawlFinished) error {
	switch {
	case f.OK:
		return nil
	case f.CredentialsRefused:
		return ErrCredentialsRefused
	case f.Partial:
		return ErrCrawlPartial
	}
	return ErrCrawlFailed
}

// Stderr is where progress goes.
var Stderr = os.Stderr
