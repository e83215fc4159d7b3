package tokenbroker

import (
	"net/http"
	"time"
)

// Defaults of the options.
const (
	DefaultKeepAlive           = 24 * time.Hour
	DefaultRefreshAhead        = 5 * time.Minute
	DefaultWaitTimeout         = 5 * time.Second
	DefaultMinForcedInterval   = 5 * time.Second
	DefaultBackoffMin          = time.Second
	DefaultBackoffMax          = 5 * time.Minute
	DefaultAbsoluteExpiry      = 365 * 24 * time.Hour
	DefaultAbsoluteExpiryWarn  = 30 * 24 * time.Hour
	defaultHTTPTimeout         = 30 * time.Second
	criticalSectionTimeout     = 60 * time.Second
	defaultLeaseTTLWhenUnknown = 15 * time.Second
)

type options struct {
	holder            string
	healthAddr        string
	httpClient        *http.Client
	keepAlive         time.Duration
	refreshAhead      time.Duration
	waitTimeout       time.Duration
	minForcedInterval time.Duration
	backoffMin        time.Duration
	backoffMax        time.Duration
	absoluteExpiry    time.Duration
	absoluteWarn      time.Duration
}

func defaultOptions() options {
	return options{
		httpClient:        &http.Client{Timeout: defaultHTTPTimeout},
		keepAlive:         DefaultKeepAlive,
		refreshAhead:      DefaultRefreshAhead,
		waitTimeout:       DefaultWaitTimeout,
		minForcedInterval: DefaultMinForcedInterval,
		backoffMin:        DefaultBackoffMin,
		backoffMax:        DefaultBackoffMax,
		absoluteExpiry:    DefaultAbsoluteExpiry,
		absoluteWarn:      DefaultAbsoluteExpiryWarn,
	}
}

// Option changes a broker replica.
type Option func(*options)

// WithHolder names this replica in the lease and the state. Default
// "<hostname>-<random>".
func WithHolder(id string) Option { return func(o *options) { o.holder = id } }

// WithHealthAddr serves GET /healthz on addr (for example ":8081"): 200
// with a JSON Health when a credential can be handed out, 503 otherwise.
// Default: no HTTP listener (the micro endpoint "health" always exists).
func WithHealthAddr(addr string) Option { return func(o *options) { o.healthAddr = addr } }

// WithHTTPClient sets the client for the token endpoint and
// accessible-resources. Default: a client with a 30 s timeout.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithKeepAlive is the longest time without a refresh, even when no one
// asks for a token. Default 24 h (Atlassian's inactivity expiry is 90 days).
func WithKeepAlive(d time.Duration) Option { return func(o *options) { o.keepAlive = d } }

// WithRefreshAhead is how long before expiry a token in demand is
// refreshed; it is capped at a fifth of the token's lifetime. Default 5 min.
func WithRefreshAhead(d time.Duration) Option { return func(o *options) { o.refreshAhead = d } }

// WithWaitTimeout bounds how long a token request waits for a refresh in
// progress before answering "unavailable". Default 5 s.
func WithWaitTimeout(d time.Duration) Option { return func(o *options) { o.waitTimeout = d } }

// WithMinForcedInterval: an invalidation forces a refresh only when the
// current token is at least this old, so a client that keeps rejecting
// tokens cannot make the broker rotate in a loop. Default 5 s.
func WithMinForcedInterval(d time.Duration) Option {
	return func(o *options) { o.minForcedInterval = d }
}

// WithBackoff bounds the wait between failed refreshes (doubling from min
// to max). Default 1 s to 5 min.
func WithBackoff(min, max time.Duration) Option {
	return func(o *options) { o.backoffMin, o.backoffMax = min, max }
}

// WithAbsoluteExpiry sets the grant's absolute lifetime and how long before
// its end the broker warns. Default 365 days and 30 days (Atlassian).
func WithAbsoluteExpiry(lifetime, warnBefore time.Duration) Option {
	return func(o *options) { o.absoluteExpiry, o.absoluteWarn = lifetime, warnBefore }
}
