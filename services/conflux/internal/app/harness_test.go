package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/pkg/sinktest"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// harness is one conflux process (every stage, embedded NATS) crawling one
// simulated tenant into a file sink.
type harness struct {
	t    testing.TB
	logs *syncBuffer // every log line of the run, for secret scans
	sim  *confluencesim.Server
	cfg  config.Config
	app  *app.App
	errc chan error
	stop context.CancelFunc
	// searchLag is how long CQL takes to see a change.
	searchLag time.Duration
	closeOnce sync.Once
}

func logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(logWriter(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// logWriter shows the logs with -v only.
func logWriter() io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}

// syncBuffer is a buffer that goroutines may write to at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start launches the simulator on tenant and conflux on an embedded NATS
// server; edit adjusts the configuration.
func start(t testing.TB, tenant *confluencesim.Tenant, simOpts confluencesim.Options, edit func(*config.Config)) *harness {
	return startWith(t, tenant, simOpts, func(c *config.Config, _ *confluencesim.Server) {
		if edit != nil {
			edit(c)
		}
	})
}

// realistic switches on, unless a test set them, what makes bulk
// reading incomplete on a real site: CQL lags behind the v2 API (what
// changed in the last second is not found by search yet) and expanded
// collections are capped at two rows, so that the fallbacks are taken on
// every crawl.
func realistic(o confluencesim.Options) confluencesim.Options {
	if o.SearchLag == 0 {
		o.SearchLag = time.Second
	}
	if o.ExpandLabelLimit == 0 {
		o.ExpandLabelLimit = 2
	}
	if o.ExpandRestrictionLimit == 0 {
		o.ExpandRestrictionLimit = 2
	}
	return o
}

// startWith is start with a configuration that depends on the simulator.
func startWith(t testing.TB, tenant *confluencesim.Tenant, simOpts confluencesim.Options, edit func(*config.Config, *confluencesim.Server)) *harness {
	t.Helper()
	parallel(t)
	simOpts = realistic(simOpts)
	sim, err := confluencesim.Start(tenant, simOpts)
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	cfg := config.Default()
	cfg.Site = sim.URL()
	cfg.Auth.Mode = "api_token"
	cfg.Auth.Email = "crawler@example.com"
	cfg.Auth.APIToken = "crawler-token"
	cfg.NATS.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Sink.Dir = filepath.Join(t.TempDir(), "out")
	edit(&cfg, sim)
	return launch(t, sim, cfg, simOpts.SearchLag)
}

// parallelTests remembers the tests already marked parallel: a test may
// start more than one harness, and t.Parallel panics when called twice.
var parallelTests sync.Map

// parallel lets the tests of this package run beside each other (go test
// -parallel, GOMAXPROCS by default). A crawl mostly waits (on search lag,
// on polls), and every harness has its own simulator, NATS server, data
// directory and sink, so tests do not share anything. Benchmarks stay
// alone.
func parallel(t testing.TB) {
	pt, ok := t.(*testing.T)
	if !ok {
		return
	}
	if _, seen := parallelTests.LoadOrStore(pt, true); !seen {
		pt.Parallel()
	}
}

// launch runs conflux with cfg against a running simulator.
func launch(t testing.TB, sim *confluencesim.Server, cfg config.Config, searchLag time.Duration) *harness {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(io.MultiWriter(logs, logWriter()), &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("open: %v", err)
	}
	h := &harness{t: t, logs: logs, sim: sim, cfg: cfg, app: a, errc: make(chan error, 1), stop: cancel,
		searchLag: searchLag}
	go func() { h.errc <- a.RunStages(ctx, app.Stages) }()
	t.Cleanup(h.close)
	return h
}

func (h *harness) close() { h.closeOnce.Do(h.shutdown) }

func (h *harness) shutdown() {
	h.stop()
	select {
	case err := <-h.errc:
		if err != nil {
			h.t.Errorf("stages: %v", err)
		}
	case <-time.After(60 * time.Second):
		h.t.Errorf("stages did not stop within 60s")
	}
	h.app.Close()
}

// crawl requests a crawl and waits for its result.
func (h *harness) crawl(kind proto.CrawlKind, force bool) proto.CrawlFinished {
	h.t.Helper()
	if kind == proto.CrawlIncremental {
		// An incremental crawl finds changes through CQL, which sees them
		// only once the search index has caught up.
		time.Sleep(h.searchLag)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	id, err := h.app.Request(ctx, kind, force)
	if err != nil {
		h.t.Fatalf("request crawl: %v", err)
	}
	var show func(progress.Status)
	if os.Getenv("CONFLUX_TEST_PROGRESS") != "" {
		show = func(st progress.Status) {
			t := progress.Sum(st.Spaces)
			fmt.Fprintf(os.Stderr, "%s %s listed %d written %d dropped %d failed %d\n", time.Now().Format("15:04:05.0"), id, t.Listed, t.Written, t.Dropped, t.Failed)
		}
	}
	res, err := h.app.Wait(ctx, id, nil, show)
	if err != nil {
		h.t.Fatalf("wait for crawl %s: %v", id, err)
	}
	return res
}

// documents reads the file sink's documents, by id.
func (h *harness) documents() map[string]proto.Document {
	h.t.Helper()
	return sinktest.Documents(h.t, h.cfg.Sink.Dir)
}
