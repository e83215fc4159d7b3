package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

var (
	// ErrReauthorizationNeeded: the broker's refresh token was refused
	// (invalid_grant). Nothing works until a person runs
	// oauth2-tokenfetcher and puts the new refresh token in conflux.yaml:
	// pause the crawl (retry much later), do not fail items.
	ErrReauthorizationNeeded = errors.New("tokens: reauthorization needed")
	// ErrUnavailable: the broker has no credential to give now, or did not
	// answer; retrying later may succeed.
	ErrUnavailable = errors.New("tokens: credential unavailable")
)

// Defaults of the broker client.
const (
	DefaultRequestTimeout = 10 * time.Second
	DefaultAttempts       = 4
	DefaultMaxMargin      = time.Minute
	DefaultMaxCacheAge    = 5 * time.Minute
)

// Option changes the broker client.
type Option func(*brokerCredentials)

// WithRequestTimeout bounds one request to the broker. Default 10 s.
func WithRequestTimeout(d time.Duration) Option {
	return func(b *brokerCredentials) { b.timeout = d }
}

// WithAttempts sets how many times a request is tried (with back-off from
// 200 ms, doubling, at most 2 s) before giving up. Default 4.
func WithAttempts(n int) Option { return func(b *brokerCredentials) { b.attempts = max(1, n) } }

// WithMaxMargin bounds how long before expires_at a cached credential is
// renewed: the margin is a fifth of the token's remaining life at receipt,
// at most this. Default 1 minute.
func WithMaxMargin(d time.Duration) Option { return func(b *brokerCredentials) { b.maxMargin = d } }

// WithMaxCacheAge is how long a credential without expiry (an API token)
// is cached. Default 5 minutes.
func WithMaxCacheAge(d time.Duration) Option { return func(b *brokerCredentials) { b.maxCacheAge = d } }

// WithLogger logs requests that failed (never a credential). Default: none.
func WithLogger(l *slog.Logger) Option { return func(b *brokerCredentials) { b.log = l } }

// WithPauseWhileUnavailable makes Credential wait, asking again every
// interval, while the broker answers "reauthorization needed" or cannot be
// reached, instead of failing: a stage's handler then holds its message
// (kept in progress) and the crawl pauses rather than failing items. It
// returns when a credential comes or ctx ends. Default off.
func WithPauseWhileUnavailable(every time.Duration) Option {
	return func(b *brokerCredentials) { b.pauseEvery = every }
}

// brokerCredentials implements confluence.Credentials with the broker.
type brokerCredentials struct {
	nc          *nats.Conn
	subjects    proto.Subjects
	timeout     time.Duration
	attempts    int
	maxMargin   time.Duration
	maxCacheAge time.Duration
	pauseEvery  time.Duration
	log         *slog.Logger

	fetch chan struct{} // one request to the broker at a time

	mu         sync.Mutex
	cred       confluence.Credential
	validUntil time.Time
}

// NewBrokerCredentials returns credentials that ask the token broker of
// site on conflux.<site>.token.get and report rejections on
// conflux.<site>.token.invalidate. The credential is cached until shortly
// before it expires; concurrent callers share one request. Errors match
// ErrReauthorizationNeeded or ErrUnavailable with errors.Is.
func NewBrokerCredentials(nc *nats.Conn, site string, opts ...Option) confluence.Credentials {
	b := &brokerCredentials{
		nc: nc, subjects: proto.For(site),
		timeout: DefaultRequestTimeout, attempts: DefaultAttempts,
		maxMargin: DefaultMaxMargin, maxCacheAge: DefaultMaxCacheAge,
		log:   slog.New(slog.DiscardHandler),
		fetch: make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Credential returns the cached credential, or asks the broker for one;
// with WithPauseWhileUnavailable it waits while none can be had.
func (b *brokerCredentials) Credential(ctx context.Context) (confluence.Credential, error) {
	for waited := 0; ; waited++ {
		c, err := b.credential(ctx)
		pause := errors.Is(err, ErrReauthorizationNeeded) || errors.Is(err, ErrUnavailable)
		if err == nil || b.pauseEvery <= 0 || !pause || ctx.Err() != nil {
			return c, err
		}
		if waited%10 == 0 {
			b.log.WarnContext(ctx, "no Confluence credential: paused until the token broker has one", "error", err.Error())
		}
		select {
		case <-time.After(b.pauseEvery):
		case <-ctx.Done():
			return confluence.Credential{}, fmt.Errorf("paused for a credential: %w (%w)", ctx.Err(), err)
		}
	}
}

func (b *brokerCredentials) credential(ctx context.Context) (confluence.Credential, error) {
	if c, ok := b.cached(); ok {
		return c, nil
	}
	select {
	case b.fetch <- struct{}{}:
	case <-ctx.Done():
		return confluence.Credential{}, fmt.Errorf("token get: %w", ctx.Err())
	}
	defer func() { <-b.fetch }()
	if c, ok := b.cached(); ok { // someone else fetched while we waited
		return c, nil
	}
	return b.ask(ctx, b.subjects.TokenGet(), nil)
}

// Invalidate tells the broker that c was rejected and caches the fresh
// credential it answers. A c older than the cached credential is ignored:
// the cache already holds its successor.
func (b *brokerCredentials) Invalidate(ctx context.Context, c confluence.Credential) error {
	select {
	case b.fetch <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("token invalidate: %w", ctx.Err())
	}
	defer func() { <-b.fetch }()
	b.mu.Lock()
	stale := b.cred.Authorization != "" && b.cred.Authorization != c.Authorization
	if !stale {
		b.validUntil = time.Time{}
	}
	b.mu.Unlock()
	if stale {
		return nil
	}
	body, _ := json.Marshal(InvalidateRequest{Fingerprint: Fingerprint(c.Authorization)})
	_, err := b.ask(ctx, b.subjects.TokenInvalidate(), body)
	return err
}

func (b *brokerCredentials) cached() (confluence.Credential, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cred.Authorization == "" || !time.Now().Before(b.validUntil) {
		return confluence.Credential{}, false
	}
	return b.cred, true
}

func (b *brokerCredentials) store(r Reply) confluence.Credential {
	now := time.Now()
	until := now.Add(b.maxCacheAge)
	if !r.ExpiresAt.IsZero() {
		margin := min(b.maxMargin, r.ExpiresAt.Sub(now)/5)
		until = r.ExpiresAt.Add(-margin)
	}
	c := confluence.Credential{Authorization: r.Authorization, BaseURL: r.BaseURL}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cred, b.validUntil = c, until
	return c
}

// ask sends one request with bounded retries and caches the answer.
func (b *brokerCredentials) ask(ctx context.Context, subject string, body []byte) (confluence.Credential, error) {
	backoff := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		r, err := b.once(ctx, subject, body)
		if err == nil {
			return b.store(r), nil
		}
		if errors.Is(err, ErrReauthorizationNeeded) || ctx.Err() != nil || attempt >= b.attempts {
			return confluence.Credential{}, fmt.Errorf("token request %s: %w", subject, err)
		}
		b.log.WarnContext(ctx, "token broker request failed", "subject", subject, "attempt", attempt, "error", err.Error())
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return confluence.Credential{}, fmt.Errorf("token request %s: %w", subject, ctx.Err())
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// once makes one request and decodes the answer.
func (b *brokerCredentials) once(ctx context.Context, subject string, body []byte) (Reply, error) {
	rctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	msg, err := b.nc.RequestWithContext(rctx, subject, body)
	if err != nil {
		return Reply{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if code := msg.Header.Get(micro.ErrorCodeHeader); code != "" {
		return Reply{}, replyError(code, msg)
	}
	var r Reply
	if err := json.Unmarshal(msg.Data, &r); err != nil || r.Authorization == "" {
		return Reply{}, fmt.Errorf("%w: malformed broker reply", ErrUnavailable)
	}
	return r, nil
}

func replyError(code string, msg *nats.Msg) error {
	var e ErrorReply
	_ = json.Unmarshal(msg.Data, &e)
	desc := msg.Header.Get(micro.ErrorHeader)
	if code == CodeReauthorization || e.Error == ErrorReauthorization {
		if e.Command != "" {
			return fmt.Errorf("%w: %s; run: %s", ErrReauthorizationNeeded, desc, e.Command)
		}
		return fmt.Errorf("%w: %s", ErrReauthorizationNeeded, desc)
	}
	return fmt.Errorf("%w: broker answered %s %s", ErrUnavailable, code, desc)
}
