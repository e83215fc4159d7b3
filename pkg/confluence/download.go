package confluence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// maxMediaRedirects bounds the redirects followed on the media host.
const maxMediaRedirects = 5

// DownloadAttachment streams the bytes of an attachment (version 0: the
// current one) through the v1 REST route
// GET /wiki/rest/api/content/{containerID}/child/attachment/{attachmentID}/download.
//
// Confluence answers with a 302 to a signed media URL. The client does not
// follow it with credentials: it fetches the Location with a separate
// request that carries no Authorization header and no cookies. The whole
// chain is retried on retryable failures until the body starts; after
// that, a failed read returns an ErrRetryable error. The body is never
// held in memory: the caller reads it as it arrives and must Close it.
// Options.Timeout bounds the wait for each answer and each stall of the
// body, not the whole transfer.
func (c *Client) DownloadAttachment(ctx context.Context, containerID, attachmentID string, version int) (io.ReadCloser, error) {
	target := "/wiki/rest/api/content/" + seg(containerID) + "/child/attachment/" + seg(attachmentID) + "/download"
	if version > 0 {
		target += "?version=" + strconv.Itoa(version)
	}
	r := request{method: http.MethodGet, target: target, redirect: true, background: true}
	var body io.ReadCloser
	err := c.do(ctx, r, func(actx context.Context, resp *http.Response, w *watchdog) error {
		if resp.StatusCode >= 300 {
			loc, err := resp.Location()
			if err != nil {
				return invalid(r, "redirect without a usable Location")
			}
			drainClose(resp.Body)
			w.kick() // the media host gets its own Timeout
			if resp, err = c.media(actx, loc); err != nil {
				return err
			}
		}
		w.keep()
		body = &stream{ctx: ctx, body: resp.Body, w: w, path: r.path(), obs: c.obs}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("download attachment %s v%d: %w", attachmentID, version, err)
	}
	return body, nil
}

// media gets a signed media URL without credentials, following its own
// redirects (also without credentials). A 401 or 403 there usually means
// the signature expired: it is retryable, like the rest of the chain.
func (c *Client) media(ctx context.Context, loc *url.URL) (*http.Response, error) {
	for range maxMediaRedirects {
		mr := request{method: http.MethodGet, target: loc.EscapedPath()}
		if loc.Scheme != "http" && loc.Scheme != "https" {
			return nil, invalid(mr, "redirect to a %q URL", loc.Scheme)
		}
		req, err := http.NewRequestWithContext(c.holdResends(ctx), http.MethodGet, loc.String(), nil)
		if err != nil {
			return nil, invalid(mr, "unusable redirect")
		}
		req.Header.Set("User-Agent", c.userAgent) // no Authorization, no Cookie
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, transportError(mr, err)
		}
		switch code := resp.StatusCode; {
		case code >= 200 && code < 300:
			return resp, nil
		case code >= 300 && code < 400:
			next, err := resp.Location()
			drainClose(resp.Body)
			if err != nil {
				return nil, invalid(mr, "media redirect without a usable Location")
			}
			loc = next
		default:
			c.pauseOnRetryAfter(resp)
			out := statusFailure(mr, Credential{}, resp)
			drainClose(resp.Body)
			out.err.Detail = joinDetail("media host", out.err.Detail)
			if code == http.StatusUnauthorized || code == http.StatusForbidden {
				out.err.class = ErrRetryable
			}
			return nil, out.err
		}
	}
	return nil, invalid(request{method: http.MethodGet, target: loc.EscapedPath()}, "more than %d media redirects", maxMediaRedirects)
}

func joinDetail(a, b string) string {
	if b == "" {
		return a
	}
	return a + ": " + b
}

// stream is a download body: it keeps the watchdog fed while bytes arrive
// and classifies a broken transfer as retryable.
type stream struct {
	ctx  context.Context // the caller's
	body io.ReadCloser
	w    *watchdog
	path string
	obs  Observer
}

func (s *stream) Read(p []byte) (int, error) {
	n, err := s.body.Read(p)
	if n > 0 {
		s.w.kick()
		s.obs.Downloaded(n)
	}
	if err == nil || errors.Is(err, io.EOF) {
		return n, err
	}
	if cerr := s.ctx.Err(); cerr != nil {
		return n, fmt.Errorf("GET %s: %w", s.path, cerr)
	}
	return n, &Error{Method: http.MethodGet, Path: s.path, Detail: "download broke off", Err: err, class: ErrRetryable}
}

// Close ends the transfer and releases the connection.
func (s *stream) Close() error {
	s.w.stop()
	return s.body.Close()
}
