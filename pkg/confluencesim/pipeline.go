package confluencesim

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type ctxKey int

const gatewayKey ctxKey = 1

// siteHandler is everything on the site listener.
func (s *Server) siteHandler() http.Handler {
	sim := s.simHandler()
	oauth := s.oauth.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/_sim/"):
			sim.ServeHTTP(w, r)
		case p == "/authorize" || strings.HasPrefix(p, "/oauth/"):
			oauth.ServeHTTP(w, r)
		case strings.HasPrefix(p, "/ex/confluence/"):
			s.gateway(w, r)
		case strings.HasPrefix(p, "/wiki/"):
			s.apiRequest(w, r, p, false)
		case p == "/_edge/tenant_info":
			writeJSON(w, http.StatusOK, map[string]any{"cloudId": s.CloudID()})
		default:
			http.NotFound(w, r)
		}
	})
}

// gateway serves /ex/confluence/{cloudId}/wiki/… like api.atlassian.com.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/ex/confluence/")
	cloudID, path, _ := strings.Cut(rest, "/")
	path = "/" + path
	if cloudID != s.CloudID() || !strings.HasPrefix(path, "/wiki/") {
		// Unknown site on the gateway. Exact body UNCONFIRMED.
		writeJSON(w, http.StatusNotFound, map[string]any{"code": 404, "message": "Not Found"})
		return
	}
	s.apiRequest(w, r, path, true)
}

// clientKey names the client for Retry-After bookkeeping: its credential
// (replicas sharing one credential are one client, as Atlassian counts per
// token), else its address.
func clientKey(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		return a
	}
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	return host
}

// apiRequest runs the limits, faults and routing of one REST call; path is
// the /wiki/… path (the gateway prefix removed).
func (s *Server) apiRequest(w http.ResponseWriter, r *http.Request, path string, gateway bool) {
	client := clientKey(r)
	s.counters.add(func(c *Counters) {
		c.Requests++
		if gateway {
			c.Gateway++
		}
	})
	if early, wait := s.limits.early(client, r.RemoteAddr, time.Now()); early {
		s.counters.add(func(c *Counters) { c.RetryAfterViolations++; c.RateLimited++ })
		s.log.Debug("retry-after violated", "path", path, "wait", wait)
		s.tooMany(w, wait)
		return
	}
	if !s.sleep(r.Context(), s.opts.Latency) {
		return
	}
	if s.injectFault(w, r, r.Method+" "+path+"?"+r.URL.RawQuery, client) {
		return
	}
	if ok, retry, _ := s.limits.take(time.Now()); !ok {
		s.limits.announce(client, r.RemoteAddr, time.Now(), retry)
		s.counters.add(func(c *Counters) { c.RateLimited++ })
		s.tooMany(w, retry)
		return
	}
	if s.limits.nearLimit() {
		w.Header().Set("X-RateLimit-NearLimit", "true")
	}
	if strings.HasPrefix(path, "/wiki/download/") {
		// The legacy download servlet refuses token callers since 2026.
		w.Header().Set("WWW-Authenticate", `OAuth realm="`+s.url+`"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r2 := r.Clone(context.WithValue(r.Context(), gatewayKey, gateway))
	r2.URL.Path, r2.URL.RawPath = path, ""
	s.api.ServeHTTP(w, r2)
}

// tooMany answers 429 the way Confluence does.
func (s *Server) tooMany(w http.ResponseWriter, wait time.Duration) {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("X-RateLimit-Limit", strconv.Itoa(int(s.limits.burst)))
	h.Set("X-RateLimit-Remaining", "0")
	// Jira documents yyyy-MM-ddTHH:mmZ; the Confluence format is UNCONFIRMED.
	h.Set("X-RateLimit-Reset", time.Now().UTC().Add(time.Duration(secs)*time.Second).Format("2006-01-02T15:04Z"))
	h.Set("RateLimit-Reason", "confluence-quota-tenant-based")
	writeJSON(w, http.StatusTooManyRequests, v2Error(http.StatusTooManyRequests, "Too Many Requests"))
}

// sleep waits d unless the request or the server ends first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// injectFault answers a seeded fault, if this request gets one.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, key, client string) bool {
	kind, secs := s.limits.fault(key)
	if kind == faultNone {
		return false
	}
	s.counters.add(func(c *Counters) { c.Faults[kind]++ })
	s.log.Debug("fault injected", "kind", kind, "key", key)
	switch kind {
	case fault500:
		writeJSON(w, http.StatusInternalServerError, v2Error(http.StatusInternalServerError, "Internal Server Error"))
	case fault502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	case fault503:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html><body><h1>503 Service Unavailable</h1></body></html>")
	case fault503RA:
		s.limits.announce(client, r.RemoteAddr, time.Now(), time.Duration(secs)*time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html><body><h1>503 Service Unavailable</h1></body></html>")
	case faultTimeout:
		s.sleep(r.Context(), s.opts.Hang)
		panic(http.ErrAbortHandler) // drop the connection without an answer
	}
	return true
}
