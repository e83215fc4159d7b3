package oauthsim

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// authorize answers GET /authorize as the consent screen would after the
// user clicked "Accept" (or "Deny" with consent=deny or Config.DenyConsent).
// An unknown client or a redirect_uri that is not registered gets an error
// page: the server never redirects to an address it does not trust.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") == "" || q.Get("client_id") != s.cfg.ClientID {
		errorPage(w, "The app you are trying to authorize (client_id) is unknown.")
		return
	}
	redirect := q.Get("redirect_uri")
	if !s.redirectAllowed(redirect) {
		errorPage(w, "The redirect_uri does not match any callback URL registered for this app.")
		return
	}
	state := q.Get("state")
	scopes := strings.Fields(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		redirectError(w, r, redirect, state, "unsupported_response_type", "response_type must be code")
	case q.Get("audience") != Audience:
		redirectError(w, r, redirect, state, "invalid_request", "audience must be "+Audience)
	case len(scopes) == 0:
		redirectError(w, r, redirect, state, "invalid_scope", "scope is required")
	case s.cfg.DenyConsent || q.Get("consent") == "deny":
		s.count(func(c *Counters) { c.ConsentsDenied++ })
		redirectError(w, r, redirect, state, "access_denied", "User did not authorize the request")
	default:
		code := s.newCode(redirect, scopes)
		redirectTo(w, r, redirect, url.Values{"code": {code}, "state": {state}})
	}
}

func (s *Server) newCode(redirect string, scopes []string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := randomToken(16)
	s.codes[code] = &authCode{redirectURI: redirect, scopes: slices.Clone(scopes), expires: s.cfg.Now().Add(codeTTL)}
	s.counters.Authorizations++
	return code
}

func (s *Server) count(f func(*Counters)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.counters)
}

// redirectAllowed reports whether uri is a registered callback: one of
// Config.RedirectURIs, or with none configured any http URL on localhost or
// 127.0.0.1.
func (s *Server) redirectAllowed(uri string) bool {
	if len(s.cfg.RedirectURIs) > 0 {
		return slices.Contains(s.cfg.RedirectURIs, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1"
}

func redirectError(w http.ResponseWriter, r *http.Request, redirect, state, code, desc string) {
	v := url.Values{"error": {code}, "error_description": {desc}}
	if state != "" {
		v.Set("state", state)
	}
	redirectTo(w, r, redirect, v)
}

func redirectTo(w http.ResponseWriter, r *http.Request, redirect string, params url.Values) {
	u, err := url.Parse(redirect)
	if err != nil {
		errorPage(w, "The redirect_uri is not a URL.")
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func errorPage(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Something went wrong</title></head><body><h1>Something went wrong</h1><p>%s</p></body></html>\n", html.EscapeString(msg))
}
