package confluencesim

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// req is one authenticated API call being answered under the read lock.
type req struct {
	s       *Server
	ix      *index
	r       *http.Request
	c       caller
	gateway bool
	pattern string
}

// reply is an answer built under the lock and written after it.
type reply struct {
	status int
	body   any
	header http.Header
}

func (q *req) ok(body any) reply { return reply{status: http.StatusOK, body: body} }

// base is the `_links.base` of every answer: the listening site + "/wiki".
// Through the gateway it stays the site URL (UNCONFIRMED; the reference
// assumes so).
func (q *req) base() string { return q.s.url + "/wiki" }

func (q *req) v2() bool { return strings.HasPrefix(q.r.URL.Path, "/wiki/api/v2/") }

// fail answers an error in the shape of the API version called.
func (q *req) fail(status int, msg string) reply {
	if q.v2() {
		return reply{status: status, body: v2Error(status, msg)}
	}
	return reply{status: status, body: v1Error(status, msg)}
}

func (q *req) notFound(msg string) reply   { return q.fail(http.StatusNotFound, msg) }
func (q *req) badRequest(msg string) reply { return q.fail(http.StatusBadRequest, msg) }

// ref is r as the *reply the parameter readers return for a refusal.
func ref(r reply) *reply { return &r }

var v2Codes = map[int]string{400: "INVALID_REQUEST_PARAMETER", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
	404: "NOT_FOUND", 429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR", 501: "NOT_IMPLEMENTED"}

// v2Error is the v2 error body, e.g. {"errors":[{"status":404,
// "code":"NOT_FOUND","title":"Not Found","detail":null}]}.
func v2Error(status int, title string) map[string]any {
	return map[string]any{"errors": []any{map[string]any{"status": status, "code": v2Codes[status], "title": title, "detail": nil}}}
}

// v1Error is the v1 error body.
func v1Error(status int, msg string) map[string]any {
	return map[string]any{
		"statusCode": status,
		"data":       map[string]any{"authorized": status != http.StatusForbidden, "valid": true, "errors": []any{}, "successful": false},
		"message":    msg,
		"reason":     http.StatusText(status),
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// route registers an API endpoint: counted by pattern, authenticated,
// answered under the read lock, written after it.
func (s *Server) route(mux *http.ServeMux, pattern string, h func(q *req) reply) {
	s.patterns = append(s.patterns, pattern)
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.counters.add(func(c *Counters) { c.Endpoints[pattern]++ })
		rep := s.answer(r, pattern, h)
		s.log.Debug("api request", "method", r.Method, "path", r.URL.Path, "pattern", pattern, "status", rep.status)
		for k, v := range rep.header {
			w.Header()[k] = v
		}
		switch {
		case rep.status == http.StatusFound:
			w.WriteHeader(rep.status)
		case rep.body == nil:
			w.WriteHeader(rep.status)
		default:
			writeJSON(w, rep.status, rep.body)
		}
	})
}

func (s *Server) answer(r *http.Request, pattern string, h func(q *req) reply) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	gw, _ := r.Context().Value(gatewayKey).(bool)
	q := &req{s: s, ix: s.ix, r: r, gateway: gw, pattern: pattern}
	if rep, ok := s.authenticate(q); !ok {
		s.counters.add(func(c *Counters) { c.AuthFailures++ })
		return rep
	}
	return h(q)
}

// authenticate sets q.c from the Authorization header, or answers the
// failure.
//
// On the site: Basic email:API-token of an active user; no header means an
// anonymous caller; anything else is refused as measured live (v2 404 with
// the bare "Not Found", v1 403 "Current user not permitted to use
// Confluence"; "caller cannot access Confluence" on /user/current). Wrong
// credentials are refused even for public content (stricter than falling
// back to anonymous, which the reference does not settle).
//
// On the gateway: Bearer access token from the OAuth server, acting as
// Options.OAuthAccountID, or Basic email:API-token (scoped tokens); no or
// bad credentials → 401 {"code":401,"message":"Unauthorized"}. The real
// body for an expired token is UNCONFIRMED; 401 JSON shaped like the
// measured scope-mismatch answer is the choice made here.
func (s *Server) authenticate(q *req) (reply, bool) {
	h := q.r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	if q.gateway {
		var u *User
		switch {
		case strings.EqualFold(scheme, "Bearer") && s.oauth.ValidAccessToken(strings.TrimSpace(cred)):
			u = q.ix.users[s.opts.OAuthAccountID]
		case strings.EqualFold(scheme, "Basic"):
			u = q.ix.basicUser(cred)
		}
		if u == nil || !u.Active {
			return reply{status: http.StatusUnauthorized, body: map[string]any{"code": 401, "message": "Unauthorized"}}, false
		}
		q.c = q.ix.callerFor(u)
		return reply{}, true
	}
	if h == "" {
		q.c = caller{}
		return reply{}, true
	}
	var u *User
	if strings.EqualFold(scheme, "Basic") {
		u = q.ix.basicUser(cred)
	}
	if u == nil {
		if q.v2() {
			return reply{status: http.StatusNotFound, body: v2Error(http.StatusNotFound, "Not Found")}, false
		}
		msg := "Current user not permitted to use Confluence"
		if q.r.URL.Path == "/wiki/rest/api/user/current" {
			msg = "caller cannot access Confluence"
		}
		return reply{status: http.StatusForbidden, body: v1Error(http.StatusForbidden, msg)}, false
	}
	q.c = q.ix.callerFor(u)
	return reply{}, true
}

// basicUser is the active user whose email and API token the Basic
// credential carries, or nil.
func (ix *index) basicUser(cred string) *User {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return nil
	}
	email, token, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil
	}
	u := ix.usersByEmail[strings.ToLower(email)]
	if u == nil || u.APIToken == "" || !u.Active || subtle.ConstantTimeCompare([]byte(u.APIToken), []byte(token)) != 1 {
		return nil
	}
	return u
}

// ts formats a time as the API does: 2023-12-12T07:25:30.563Z.
func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
