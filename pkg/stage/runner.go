package stage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// Runner runs one stage on its durable consumer. Create it with NewRunner;
// Run it once per process (several processes, the replicas, share the
// consumer).
type Runner struct {
	js     jetstream.JetStream
	cfg    Config
	h      Handler
	log    *slog.Logger
	pub    *bus.Publisher
	onDead func(context.Context, *proto.DeadLetter, proto.Message)
	obs    Observer
	mws    []Middleware
	// chained is h in the middleware, composed when Run starts.
	chained Handler

	stats   counters
	running atomic.Bool
	flights flights
}

// Option configures a Runner.
type Option func(*Runner)

// WithOnDeadLetter calls fn after a message was published to the
// dead-letter stream and before it is terminated; m is the decoded
// message, or nil when it could not be decoded. Use it to record the
// item's failed outcome.
func WithOnDeadLetter(fn func(ctx context.Context, dl *proto.DeadLetter, m proto.Message)) Option {
	return func(r *Runner) { r.onDead = fn }
}

// WithConcurrency handles n messages at once instead of the Config's
// Concurrency (n ≤ 0 keeps it).
func WithConcurrency(n int) Option {
	return func(r *Runner) {
		if n > 0 {
			r.cfg.Concurrency = n
		}
	}
}

// WithLogger sets the logger (default slog.Default()); the runner adds the
// key stage.
func WithLogger(l *slog.Logger) Option { return func(r *Runner) { r.log = l } }

// WithPublisher sets the publisher of dead letters (default
// bus.NewPublisher(js)).
func WithPublisher(p *bus.Publisher) Option { return func(r *Runner) { r.pub = p } }

// NewRunner returns a runner of cfg's stage that hands every message to h.
func NewRunner(js jetstream.JetStream, cfg Config, h Handler, opts ...Option) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("stage %s: %w", cfg.Stage, err)
	}
	if h == nil {
		return nil, fmt.Errorf("stage %s: handler is required", cfg.Stage)
	}
	r := &Runner{js: js, cfg: cfg.withDefaults(), h: h, log: slog.Default(), obs: nopObserver{}}
	for _, o := range opts {
		o(r)
	}
	if r.pub == nil {
		r.pub = bus.NewPublisher(js)
	}
	r.log = r.log.With("stage", r.cfg.Stage)
	return r, nil
}

// Stats returns the runner's counters.
func (r *Runner) Stats() Stats { return r.stats.snapshot() }

// pullExpiry is how long one pull request of the consumer stays open.
const pullExpiry = 5 * time.Second

// limits are read from the consumer when Run starts.
type limits struct {
	maxDeliver int           // 0: unlimited
	inProgress time.Duration // how often a running handler renews AckWait
}

// Run consumes until ctx is done, then stops pulling, lets in-flight
// handlers finish (within Config.ShutdownGrace), hands back what was not
// finished and returns nil. It returns an error when the consumer cannot
// be bound or consuming stops on its own (the connection closed).
func (r *Runner) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return fmt.Errorf("stage %s: already running", r.cfg.Stage)
	}
	defer r.running.Store(false)
	cons, lim, err := r.bind(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	r.chained = r.chain(lim)
	// Handlers keep running for the grace period after ctx is done.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	stopGrace := context.AfterFunc(ctx, func() { time.AfterFunc(r.cfg.ShutdownGrace, hcancel) })
	defer stopGrace()

	p := pool.New().WithMaxGoroutines(r.cfg.Concurrency)
	var g gate // no p.Go once p.Wait has begun
	cc, err := cons.Consume(func(m jetstream.Msg) {
		g.mu.RLock()
		defer g.mu.RUnlock()
		if g.closed || ctx.Err() != nil && !r.lastDelivery(m, lim) {
			r.handBack(m)
			return
		}
		p.Go(func() { r.process(hctx, m, lim) }) // blocks while all workers are busy
	},
		jetstream.PullMaxMessages(r.cfg.Concurrency),
		// The callback blocks while every worker is busy; a pull request
		// the client then loses track of stalled a stage for the default
		// 30 s expiry (measured: 27-30 s pauses in a 2,000-document crawl).
		// A short expiry bounds such a pause.
		jetstream.PullExpiry(pullExpiry),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			r.log.Warn("consume", "durable", r.cfg.Durable, "error", err)
		}),
	)
	if err != nil {
		return fmt.Errorf("stage %s: consume %s on %s: %w", r.cfg.Stage, r.cfg.Durable, r.cfg.Stream, err)
	}
	r.obs.Bound(r.cfg.Stage, r.cfg.Durable)
	r.log.Info("stage running", "durable", r.cfg.Durable, "concurrency", r.cfg.Concurrency,
		"max_deliver", lim.maxDeliver, "in_progress_every", lim.inProgress)

	var stopped error
	select {
	case <-ctx.Done():
	case <-cc.Closed():
		stopped = fmt.Errorf("stage %s: consuming %s stopped", r.cfg.Stage, r.cfg.Durable)
	}
	r.drain(cc)
	g.close()
	p.Wait()
	if err := r.js.Conn().FlushTimeout(5 * time.Second); err != nil && !r.js.Conn().IsClosed() {
		r.log.Warn("flush acks", "error", err)
	}
	r.log.Info("stage stopped", "processed", r.stats.processed.Load(), "interrupted", r.stats.interrupted.Load())
	return stopped
}

// bind looks the consumer up and reads its limits.
func (r *Runner) bind(ctx context.Context) (jetstream.Consumer, limits, error) {
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cons, err := r.js.Consumer(bctx, r.cfg.Stream, r.cfg.Durable)
	if err != nil {
		return nil, limits{}, fmt.Errorf("stage %s: bind consumer %s on %s: %w", r.cfg.Stage, r.cfg.Durable, r.cfg.Stream, err)
	}
	cfg := cons.CachedInfo().Config
	lim := limits{maxDeliver: cfg.MaxDeliver, inProgress: cfg.AckWait / 3}
	if lim.maxDeliver < 0 {
		lim.maxDeliver = 0
	}
	if r.cfg.MaxDeliver > 0 && (lim.maxDeliver == 0 || r.cfg.MaxDeliver < lim.maxDeliver) {
		lim.maxDeliver = r.cfg.MaxDeliver
	}
	if lim.inProgress <= 0 {
		lim.inProgress = 10 * time.Second // the server's default AckWait is 30s
	}
	return cons, lim, nil
}

// gate keeps the consume callback from adding work to the pool once the
// runner waits for it (possible only when draining timed out).
type gate struct {
	mu     sync.RWMutex
	closed bool
}

func (g *gate) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// drain stops pulling and waits until the messages already buffered have
// passed through the callback (which hands them back).
func (r *Runner) drain(cc jetstream.ConsumeContext) {
	cc.Drain()
	select {
	case <-cc.Closed():
	case <-time.After(r.cfg.ShutdownGrace + 10*time.Second):
		r.log.Warn("consumer did not drain; stopping")
		cc.Stop()
	}
}

// lastDelivery reports whether m is on its last allowed delivery: handing
// it back would lose it to MaxDeliver, so it is handled even at shutdown.
func (r *Runner) lastDelivery(m jetstream.Msg, lim limits) bool {
	md, err := m.Metadata()
	return err == nil && lim.maxDeliver > 0 && md.NumDelivered >= uint64(lim.maxDeliver)
}

// handBack returns an unstarted message at shutdown so that another
// replica gets it now rather than after AckWait.
func (r *Runner) handBack(m jetstream.Msg) {
	r.stats.interrupted.Add(1)
	r.obs.Settled(r.cfg.Stage, Interrupted, 0)
	if err := m.Nak(); err != nil && !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
		r.log.Warn("hand back at shutdown", "subject", m.Subject(), "error", err)
	}
}
