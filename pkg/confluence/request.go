package confluence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/pkg/pause"
)

// request is one API call. target is the path and query relative to the
// credential's base URL, starting with /wiki/.
type request struct {
	method string
	target string
	body   []byte // JSON body, nil for none
	// redirect hands a 3xx answer to the handler instead of failing.
	redirect bool
	// background gives way to every other request at the rate limiter
	// (waitTurn): downloads, which nothing else waits on.
	background bool
}

func get(target string) request { return request{method: http.MethodGet, target: target} }

// path is the target without its query, for errors and logs.
func (r request) path() string { return pathOf(r.target) }

// handler reads a successful answer within an attempt. It returns nil or an
// *Error; an *Error of class ErrRetryable or ErrRateLimited retries the
// request. A handler that keeps a response body beyond the attempt calls
// w.keep() and then owns the body.
type handler func(ctx context.Context, resp *http.Response, w *watchdog) error

// outcome is the result of one attempt.
type outcome struct {
	err      *Error
	retry    bool // the failure is transient
	rejected bool // the credential may be stale: refresh once
}

// do sends r until it succeeds, fails permanently, or the retries run out.
// On a cancelled ctx it returns ctx.Err() wrapped with the request.
func (c *Client) do(ctx context.Context, r request, h handler) error {
	refreshed := false
	for retry := 0; ; {
		if err := c.waitTurn(ctx, r.background); err != nil {
			return c.canceled(r, err)
		}
		cred, out := c.credential(ctx, r)
		if out.err == nil {
			out = c.try(ctx, cred, r, h)
		}
		if out.err == nil {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return c.canceled(r, err)
		}
		if out.rejected && !refreshed {
			refreshed = true
			if c.refresh(ctx, cred, out.err.Status) {
				continue
			}
		}
		wait, ok := c.retryWait(out, retry)
		if !ok {
			return out.err
		}
		c.log.DebugContext(ctx, "confluence retry", "method", r.method, "path", r.path(),
			"status", out.err.Status, "attempt", retry+1, "delay", wait, "error", out.err.Error())
		if err := pause.For(ctx, wait); err != nil {
			return c.canceled(r, err)
		}
		retry++
	}
}

// retryWait decides whether and how long to wait before retry number
// retry. An announced Retry-After (429 or 503) pauses the whole client, as
// Confluence counts it per credential; a 429 also goes to OnRateLimit.
func (c *Client) retryWait(out outcome, retry int) (time.Duration, bool) {
	e := out.err
	wait := c.backoff.delay(retry)
	pause := time.Duration(0)
	switch {
	case e.announced:
		wait, pause = c.backoff.afterAnnounced(e.RetryAfter), e.RetryAfter
	case e.Status == http.StatusTooManyRequests:
		pause = wait
	}
	if pause > 0 {
		c.PauseUntil(time.Now().Add(pause))
	}
	if e.Status == http.StatusTooManyRequests {
		c.onRateLimit(pause)
		c.log.Info("confluence rate limited", "method", e.Method, "path", e.Path, "retry_after", pause, "attempt", retry+1)
	}
	if !out.retry || retry >= c.maxRetries || e.RetryAfter > c.maxRA {
		return 0, false
	}
	return wait, true
}

// credential asks the Credentials for the attempt's credential.
func (c *Client) credential(ctx context.Context, r request) (Credential, outcome) {
	cred, err := c.creds.Credential(ctx)
	if err == nil {
		return cred, outcome{}
	}
	e := &Error{Method: r.method, Path: r.path(), Detail: "get credential", Err: err, class: ErrRetryable}
	for _, class := range []error{ErrUnauthorized, ErrPermanent, ErrNotFound, ErrRateLimited} {
		if errors.Is(err, class) {
			e.class = class
		}
	}
	return cred, failure(e)
}

// try makes one attempt of r with cred.
func (c *Client) try(ctx context.Context, cred Credential, r request, h handler) outcome {
	actx, w := newWatchdog(ctx, c.timeout)
	defer w.release()
	req, err := c.newRequest(actx, cred, r)
	if err != nil {
		return outcome{err: &Error{Method: r.method, Path: r.path(), Detail: "build request", Err: err, class: ErrPermanent}}
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.obs.Request(r.method, EndpointOf(r.path()), 0, time.Since(start))
		return outcome{err: transportError(r, err), retry: true}
	}
	c.obs.Request(r.method, EndpointOf(r.path()), resp.StatusCode, time.Since(start))
	c.readBudget(resp.Header)
	defer func() {
		if !w.kept {
			drainClose(resp.Body)
		}
	}()
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if r.redirect && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		ok = true
	}
	if !ok {
		c.pauseOnRetryAfter(resp)
		return statusFailure(r, cred, resp)
	}
	if err := h(actx, resp, w); err != nil {
		return handlerFailure(r, err)
	}
	return outcome{}
}

// newRequest builds the HTTP request of r for cred.
func (c *Client) newRequest(ctx context.Context, cred Credential, r request) (*http.Request, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(c.holdResends(ctx), r.method, cred.base()+r.target, body)
	if err != nil {
		return nil, errors.New("invalid base URL or path")
	}
	if (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" {
		return nil, errors.New("base URL must be http(s)://host")
	}
	req.Header.Set("Authorization", cred.Authorization)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// statusFailure classifies an unsuccessful answer.
func statusFailure(r request, cred Credential, resp *http.Response) outcome {
	e := &Error{Method: r.method, Path: r.path(), Status: resp.StatusCode,
		Detail: errorDetail(resp.Body), class: classOf(resp.StatusCode)}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := retryAfterOf(resp.Header, time.Now()); ok {
			e.RetryAfter, e.announced = d, true
		}
	}
	out := failure(e)
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		out.rejected = true
	case http.StatusForbidden, http.StatusNotFound:
		out.rejected = cred.Bearer()
	}
	return out
}

// handlerFailure turns a handler's error into an outcome.
func handlerFailure(r request, err error) outcome {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Method: r.method, Path: r.path(), Err: err, class: ErrPermanent}
	}
	return failure(e)
}

// failure is the outcome of e, retried when its class is transient.
func failure(e *Error) outcome {
	return outcome{err: e, retry: e.class == ErrRetryable || e.class == ErrRateLimited}
}

// transportError classifies a failure to get an answer (timeouts, refused
// or reset connections) as retryable. The URL is left out: a signed
// download URL carries a token in its query.
func transportError(r request, err error) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &Error{Method: r.method, Path: r.path(), Err: err, class: ErrRetryable}
}

// canceled wraps the caller's context error.
func (c *Client) canceled(r request, err error) error {
	return fmt.Errorf("%s %s: %w", r.method, r.path(), err)
}

// pauseOnRetryAfter pauses the client as soon as a Retry-After (429, 503)
// is seen, from the headers alone: reading the body to its end hands the
// connection back to the pool, and another request could take it and be
// sent on it before a pause set after the body would hold it.
func (c *Client) pauseOnRetryAfter(resp *http.Response) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return
	}
	if d, ok := retryAfterOf(resp.Header, time.Now()); ok && d > 0 {
		c.PauseUntil(time.Now().Add(d))
	}
}

// holdResends makes the transport's own re-sends wait for the client's
// pause too: net/http silently re-sends an idempotent request on a fresh
// connection when a reused one breaks before answering, and without this a
// re-send could reach Confluence before an announced Retry-After ended.
// GetConn runs before every send, the first included; GotConn runs once
// a connection is in hand, just before the request is written — a request
// that waited for a busy connection may get it after a Retry-After came
// back on it, so it checks again there.
func (c *Client) holdResends(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { _ = c.waitPause(ctx) },
		GotConn: func(httptrace.GotConnInfo) { _ = c.waitPause(ctx) },
	})
}

// waitTurn blocks while the client is paused (PauseUntil), then until the
// rate limiter lets the request go, and reports the time it held. A
// background request books a token only when no other request waits for
// one, and one background request at a time (waitBackgroundToken).
func (c *Client) waitTurn(ctx context.Context, background bool) error {
	start := time.Now()
	err := c.waitPause(ctx)
	switch {
	case err != nil:
	case background:
		err = c.waitBackgroundToken(ctx)
	default:
		c.waiting.Add(1)
		err = c.limiter.Wait(ctx)
		c.waiting.Add(-1)
	}
	if d := time.Since(start); d >= time.Millisecond {
		c.obs.Waited(d)
	}
	return err
}

// backgroundPoll is the least pause of a background request between looks
// at the limiter.
const backgroundPoll = 5 * time.Millisecond

// waitBackgroundToken books a token for a background request when no
// other request waits for one and the limiter has one within one token's
// interval from now, so that a listing or a permission look-up the
// pipeline waits on finds at most about one download booked ahead of it.
// Booking a token of the limiter's schedule (rather than taking only one
// already free) loses none while downloads wait: under Burst 1 a token
// not taken the moment it came was gone, and the downloads of a crawl of
// many attachments ran at a tenth below the rate, more when the machine
// was busy and the lookers woke late.
func (c *Client) waitBackgroundToken(ctx context.Context) error {
	for {
		l := c.limiter.Limit()
		if l == rate.Inf || l <= 0 {
			return ctx.Err()
		}
		interval := time.Duration(float64(time.Second) / float64(l))
		if r, ok := c.bookBackground(interval); ok {
			if err := pause.For(ctx, r.Delay()); err != nil {
				r.Cancel()
				return err
			}
			return nil
		}
		if err := pause.For(ctx, max(backgroundPoll, interval/2)); err != nil {
			return err
		}
	}
}

// bookBackground reserves the limiter's next token when no other request
// waits and it comes within ahead; one booking at a time, so that lookers
// arriving together do not book several tokens ahead.
func (c *Client) bookBackground(ahead time.Duration) (*rate.Reservation, bool) {
	c.backgroundMu.Lock()
	defer c.backgroundMu.Unlock()
	if c.waiting.Load() > 0 || c.limiter.TokensAt(time.Now().Add(ahead)) < 1 {
		return nil, false
	}
	return c.limiter.Reserve(), true
}

// waitPause blocks while the client is paused (PauseUntil).
func (c *Client) waitPause(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := time.Until(c.PausedUntil())
		if d <= 0 {
			return nil
		}
		if err := pause.For(ctx, d); err != nil {
			return err
		}
	}
}

// decodeJSON decodes the answer into v. An answer that is not the JSON
// expected is permanent; a read that breaks off (timeout, reset) is
// retryable.
func decodeJSON(r request, resp *http.Response, v any) error {
	body := &readErr{r: resp.Body}
	err := json.NewDecoder(body).Decode(v)
	if err == nil {
		return nil
	}
	e := &Error{Method: r.method, Path: r.path(), Status: resp.StatusCode,
		Detail: "invalid JSON answer", Err: err, class: ErrPermanent}
	if body.err != nil {
		e.Detail, e.Err, e.class = "read answer", body.err, ErrRetryable
	}
	return e
}

// readErr remembers the first read error other than io.EOF, to tell a
// broken transfer from a bad document.
type readErr struct {
	r   io.Reader
	err error
}

func (b *readErr) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// getJSON sends r and decodes a fresh T from each attempt's answer.
func getJSON[T any](ctx context.Context, c *Client, r request) (T, error) {
	var out T
	err := c.do(ctx, r, func(_ context.Context, resp *http.Response, _ *watchdog) error {
		var v T
		if err := decodeJSON(r, resp, &v); err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}

// invalid reports an answer that breaks the API's rules.
func invalid(r request, format string, args ...any) *Error {
	return &Error{Method: r.method, Path: r.path(), Detail: fmt.Sprintf(format, args...), class: ErrPermanent}
}

// drainClose reads a little of body (so the connection can be reused) and
// closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10)
	_ = body.Close()
}
