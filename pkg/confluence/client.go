package confluence

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of Options.
const (
	DefaultTimeout       = 30 * time.Second
	DefaultMaxRetries    = 6
	DefaultMaxRetryAfter = 60 * time.Second
	DefaultPageSize      = 250
	DefaultBackoffBase   = 500 * time.Millisecond
	DefaultBackoffMax    = 30 * time.Second
)

// Options configure a Client. Only Credentials is required.
type Options struct {
	// Credentials supply the Authorization header and base URL of every
	// request (BasicAuth, or the token broker's). Required.
	Credentials Credentials
	// HTTPClient sends the requests; default a client with its own
	// transport. The Client uses a copy that never follows redirects and
	// has no cookie jar; its Timeout, if set, also bounds attachment
	// downloads, so prefer Options.Timeout.
	HTTPClient *http.Client
	// Timeout bounds each attempt of a request, reading the answer
	// included; for attachment downloads it bounds the wait for the
	// headers and then each stall of the body (no byte for Timeout).
	// Default 30s.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt of a
	// request on 429, 5xx, timeouts and connection errors. Default 6;
	// negative disables retries.
	MaxRetries int
	// MaxRetryAfter is the longest Retry-After the client waits itself.
	// A longer announced delay ends the call with ErrRateLimited at once,
	// so that the caller can schedule it (RetryAfterOf). Default 60s.
	MaxRetryAfter time.Duration
	// Logger receives retries and rate limits at debug and warn levels.
	// Default: discard.
	Logger *slog.Logger
	// OnRateLimit is called on every 429 with the announced delay (or the
	// back-off chosen when none was announced), so that the caller can
	// broadcast a cluster-wide pause. It must not block.
	OnRateLimit func(d time.Duration)
	// Observer is told of every attempt, wait and downloaded byte (the
	// worker's metrics). Default: none.
	Observer Observer
	// Rate is the most requests per second this client sends (a
	// proactive limit, before Confluence's own); 0 means no limit.
	// SetRate changes it while the client runs (the fleet's share).
	Rate float64
	// Burst is how many requests may go at once under Rate. Default 1.
	Burst int
	// NearLimitPause is how long the client holds its next requests after
	// an answer that says the rate limit is near (X-RateLimit-NearLimit:
	// true, under 20 % of the capacity left): slowing down before the
	// limit costs less than a 429 and its Retry-After. Default 250ms;
	// negative: never.
	NearLimitPause time.Duration

	// PageSize is the limit asked of list endpoints, 1 to 250; default 250.
	// CQL search uses at most 100 and group members at most 200.
	PageSize int
	// BackoffBase is the first retry delay without Retry-After, doubled on
	// each retry; default 500ms.
	BackoffBase time.Duration
	// BackoffMax caps a retry delay without Retry-After; default 30s.
	BackoffMax time.Duration
	// UserAgent is sent with every request; default "conflux".
	UserAgent string
}

// Client calls one Confluence Cloud site. It is safe for concurrent use.
type Client struct {
	creds       Credentials
	http        *http.Client
	timeout     time.Duration
	maxRetries  int
	maxRA       time.Duration
	log         *slog.Logger
	onRateLimit func(time.Duration)
	obs         Observer
	limiter     *rate.Limiter
	waiting     atomic.Int32 // requests other than background ones waiting for the limiter
	// backgroundMu makes one background request at a time book a token.
	backgroundMu sync.Mutex
	nearPause    time.Duration
	pageSize     int
	backoff      backoff
	userAgent    string

	mu          sync.Mutex
	pausedUntil time.Time
}

// New returns a Client for o, with defaults filled in. It fails when o has
// no Credentials or an out-of-range value.
func New(o Options) (*Client, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("confluence client: %w", err)
	}
	hc := *o.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc.Jar = nil
	return &Client{
		creds:       o.Credentials,
		http:        &hc,
		timeout:     o.Timeout,
		maxRetries:  max(o.MaxRetries, 0),
		maxRA:       o.MaxRetryAfter,
		log:         o.Logger,
		onRateLimit: o.OnRateLimit,
		obs:         o.Observer,
		limiter:     rate.NewLimiter(limitOf(o.Rate), o.Burst),
		nearPause:   o.NearLimitPause,
		pageSize:    o.PageSize,
		backoff:     backoff{base: o.BackoffBase, max: o.BackoffMax},
		userAgent:   o.UserAgent,
	}, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Credentials == nil {
		return o, errors.New("options: Credentials is required")
	}
	if o.Timeout < 0 || o.MaxRetryAfter < 0 || o.BackoffBase < 0 || o.BackoffMax < 0 {
		return o, errors.New("options: durations must not be negative")
	}
	if o.PageSize < 0 || o.PageSize > 250 {
		return o, fmt.Errorf("options: PageSize %d is not within 1..250", o.PageSize)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.OnRateLimit == nil {
		o.OnRateLimit = func(time.Duration) {}
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.Rate < 0 || o.Burst < 0 {
		return o, errors.New("options: Rate and Burst must not be negative")
	}
	o.Burst = max(o.Burst, 1)
	o.Timeout = cmp.Or(o.Timeout, DefaultTimeout)
	o.MaxRetryAfter = cmp.Or(o.MaxRetryAfter, DefaultMaxRetryAfter)
	o.NearLimitPause = cmp.Or(o.NearLimitPause, DefaultNearLimitPause)
	o.BackoffBase = cmp.Or(o.BackoffBase, DefaultBackoffBase)
	o.BackoffMax = cmp.Or(o.BackoffMax, DefaultBackoffMax)
	o.PageSize = cmp.Or(o.PageSize, DefaultPageSize)
	o.MaxRetries = cmp.Or(o.MaxRetries, DefaultMaxRetries)
	o.UserAgent = cmp.Or(o.UserAgent, "conflux")
	return o, nil
}

// PauseUntil holds every request of the client (new attempts and retries)
// until t. A later t extends the pause; an earlier one does nothing. The
// stages call it when another replica reports a 429, and the client calls it
// itself on each 429 it sees.
func (c *Client) PauseUntil(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.pausedUntil) {
		c.pausedUntil = t
	}
}

// PausedUntil returns the end of the current pause (zero or past when none).
func (c *Client) PausedUntil() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pausedUntil
}

// CloseIdleConnections closes the idle keep-alive connections of the
// client's transport (for shutdown and tests); the client stays usable.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// SetRate changes the most requests per second the client sends; 0 lifts
// the limit. The fleet's rate budget calls it when replicas come and go.
func (c *Client) SetRate(perSecond float64) { c.limiter.SetLimit(limitOf(perSecond)) }

// Rate returns the current request-rate limit (0: none).
func (c *Client) Rate() float64 {
	if l := c.limiter.Limit(); l != rate.Inf {
		return float64(l)
	}
	return 0
}

// limitOf is the limiter's limit for a configured rate (0: none).
func limitOf(perSecond float64) rate.Limit {
	if perSecond <= 0 {
		return rate.Inf
	}
	return rate.Limit(perSecond)
}

// CheckCredential reports whether a credential can be had now (the token
// broker answers, or the static token is set): the readiness of a worker.
func (c *Client) CheckCredential(ctx context.Context) error {
	_, err := c.creds.Credential(ctx)
	return err
}
