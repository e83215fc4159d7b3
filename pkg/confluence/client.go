package confluence

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
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
	pageSize    int
	backoff     backoff
	userAgent   string

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
	o.Timeout = cmp.Or(o.Timeout, DefaultTimeout)
	o.MaxRetryAfter = cmp.Or(o.MaxRetryAfter, DefaultMaxRetryAfter)
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
