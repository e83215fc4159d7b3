// Package oauthsim simulates Atlassian's OAuth 2.0 (3LO) authorization
// server for tests and the local simulator: the consent redirect
// (/authorize), the token endpoint with rotating refresh tokens
// (/oauth/token) and the sites a grant reaches
// (/oauth/token/accessible-resources).
//
// The behaviour follows Atlassian's OAuth 2.0 (3LO) documentation for
// rotating refresh tokens:
//
//   - a refresh disables the refresh token it used and returns a new pair;
//   - reusing a disabled refresh token within ReuseWindow (default 10 min)
//     returns another valid pair of the same family ("breach detection does
//     not apply"), counted in Counters.Reuses;
//   - reusing it after the window revokes every refresh token of the family
//     and answers 403 {"error":"invalid_grant","error_description":"Unknown or
//     invalid refresh token."}, the same answer as for an unknown token, a
//     token unused for InactivityExpiry (default 90 days) or a family older
//     than AbsoluteExpiry (default 365 days);
//   - a refresh token is issued only when the scope has offline_access.
//
// Choices where the reference is UNCONFIRMED (strict on purpose):
//
//   - a wrong client id or secret at /oauth/token answers
//     401 {"error":"access_denied","error_description":"Unauthorized"}
//     (Auth0's answer), never a token;
//   - an unknown, used or expired authorization code (lifetime 10 minutes,
//     single use) or a redirect_uri that differs from the one of /authorize
//     answers 403 invalid_grant;
//   - the body may be JSON (as documented) or form encoded (as
//     golang.org/x/oauth2 sends it); client credentials in the body or in
//     HTTP Basic;
//   - token_type "Bearer" is always present;
//   - access tokens already issued stay valid until they expire when their
//     family is revoked (only refresh tokens are revoked).
package oauthsim

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// Config sets the simulated authorization server. The zero value of a
// duration means its default.
type Config struct {
	// ClientID and ClientSecret of the one registered app.
	ClientID     string
	ClientSecret string
	// AccessTTL is the lifetime of an access token. Default 1h.
	AccessTTL time.Duration
	// ReuseWindow is how long a used refresh token may be used again
	// without revoking its family. Default 10m.
	ReuseWindow time.Duration
	// InactivityExpiry: a refresh token not used within this time after it
	// was issued is refused. Default 90 days.
	InactivityExpiry time.Duration
	// AbsoluteExpiry: every refresh token of a family is refused this long
	// after the consent that started it. Default 365 days.
	AbsoluteExpiry time.Duration
	// RedirectURIs accepted by /authorize and /oauth/token. Empty: any
	// http://localhost:* or http://127.0.0.1:* URL.
	RedirectURIs []string

	// DenyConsent makes every /authorize answer as if the user clicked
	// "Deny" (redirect with error=access_denied). A single request can do
	// the same with the query parameter consent=deny.
	DenyConsent bool
	// Now is the clock. Default time.Now. Tests move it to expire tokens.
	Now func() time.Time
}

const (
	defaultAccessTTL        = time.Hour
	defaultReuseWindow      = 10 * time.Minute
	defaultInactivityExpiry = 90 * 24 * time.Hour
	defaultAbsoluteExpiry   = 365 * 24 * time.Hour
	codeTTL                 = 10 * time.Minute

	// Audience is the only audience /authorize accepts.
	Audience = "api.atlassian.com"
	// ScopeOfflineAccess asks for a refresh token.
	ScopeOfflineAccess = "offline_access"
)

func (c Config) withDefaults() Config {
	if c.AccessTTL <= 0 {
		c.AccessTTL = defaultAccessTTL
	}
	if c.ReuseWindow <= 0 {
		c.ReuseWindow = defaultReuseWindow
	}
	if c.InactivityExpiry <= 0 {
		c.InactivityExpiry = defaultInactivityExpiry
	}
	if c.AbsoluteExpiry <= 0 {
		c.AbsoluteExpiry = defaultAbsoluteExpiry
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Site is one site the grant reaches: CloudID is the id used in gateway
// URLs, URL the site URL ("https://acme.atlassian.net").
type Site struct{ CloudID, URL, Name string }

// Counters count what the server did since it started.
type Counters struct {
	// Authorizations answered with a code.
	Authorizations int `json:"authorizations"`
	// ConsentsDenied answered with error=access_denied.
	ConsentsDenied int `json:"consents_denied"`
	// CodeExchanges that returned tokens.
	CodeExchanges int `json:"code_exchanges"`
	// Refreshes that returned tokens (reuses within the window included).
	Refreshes int `json:"refreshes"`
	// InvalidGrants answered (unknown, expired, revoked or reused token or code).
	InvalidGrants int `json:"invalid_grants"`
	// Reuses of a disabled refresh token within the reuse window.
	Reuses int `json:"reuses"`
	// Revocations of a whole family after a reuse outside the window.
	Revocations int `json:"revocations"`
	// ClientAuthFailures: wrong client id or secret at /oauth/token.
	ClientAuthFailures int `json:"client_auth_failures"`
	// ResourceCalls to accessible-resources, and those refused.
	ResourceCalls    int `json:"resource_calls"`
	ResourceRefusals int `json:"resource_refusals"`
}

// Issue records one token response, for tests that check what a client did
// with the tokens it was given.
type Issue struct {
	At           time.Time
	Grant        string // authorization_code | refresh_token
	Family       string
	AccessToken  string
	RefreshToken string // "" without offline_access
	Reuse        bool   // answered a reuse within the window
}

// Server is the simulated authorization server. It is safe for concurrent
// use.
type Server struct {
	cfg   Config
	sites []Site

	mu       sync.Mutex
	codes    map[string]*authCode
	families map[string]*family
	refresh  map[string]*refreshToken
	access   map[string]*accessToken
	issued   []Issue
	counters Counters
}

// New returns a server for the given client and sites.
func New(cfg Config, sites []Site) *Server {
	return &Server{
		cfg:      cfg.withDefaults(),
		sites:    append([]Site(nil), sites...),
		codes:    map[string]*authCode{},
		families: map[string]*family{},
		refresh:  map[string]*refreshToken{},
		access:   map[string]*accessToken{},
	}
}

// Handler serves GET /authorize, POST /oauth/token and
// GET /oauth/token/accessible-resources at these absolute paths, so it can
// be mounted at the root of a mux.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.HandleFunc("GET /oauth/token/accessible-resources", s.accessibleResources)
	return mux
}

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counters
}

// Issued returns every token response so far, oldest first.
func (s *Server) Issued() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Issue(nil), s.issued...)
}

// IssueRefreshToken starts a new grant (as a consent with the default read
// scopes and offline_access would) and returns its first refresh token.
func (s *Server) IssueRefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFamily([]string{"read:page:confluence", "read:space:confluence", ScopeOfflineAccess})
	return s.newRefreshToken(f).value
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}
