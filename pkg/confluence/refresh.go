package confluence

import (
	"context"
	"net/http"
)

// probeTarget is a cheap call that any valid credential may make: it tells
// a 403/404 caused by an expired bearer token from a genuine one.
const probeTarget = "/wiki/api/v2/spaces?limit=1"

// refresh handles a rejected credential: for a 401, or for a bearer token's
// 403/404 when the probe shows the token no longer works, it invalidates
// cred and reports whether a different credential is now available, in
// which case the request is sent once more.
func (c *Client) refresh(ctx context.Context, cred Credential, status int) bool {
	if status != http.StatusUnauthorized && c.works(ctx, cred) {
		return false // the 403/404 is the answer, not an expired token
	}
	if err := c.creds.Invalidate(ctx, cred); err != nil {
		c.log.WarnContext(ctx, "confluence invalidate credential", "status", status, "error", err.Error())
		return false
	}
	fresh, err := c.creds.Credential(ctx)
	if err != nil {
		return true // the next attempt reports (and retries) the failure
	}
	changed := fresh.Authorization != cred.Authorization
	c.log.DebugContext(ctx, "confluence credential refreshed", "status", status, "changed", changed)
	return changed
}

// works reports whether cred can make a simple call (one attempt, no retry).
func (c *Client) works(ctx context.Context, cred Credential) bool {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(ctx, cred, get(probeTarget))
	if err != nil {
		return false
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false
	}
	drainClose(resp.Body)
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}
