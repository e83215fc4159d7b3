// Package oauthsim simulates Atlassian's OAuth 2.0 (3LO) authorization
// server: the consent redirect, the token endpoint with rotating refresh
// tokens, and accessible-resources. (Skeleton: the token helper fills it.)
package oauthsim

import (
	"net/http"
	"time"
)

// Config sets the simulated authorization server.
type Config struct {
	ClientID         string
	ClientSecret     string
	AccessTTL        time.Duration // default 1h
	ReuseWindow      time.Duration // default 10m
	InactivityExpiry time.Duration // default 90 days
	AbsoluteExpiry   time.Duration // default 365 days
	RedirectURIs     []string      // empty: any http://localhost:* or http://127.0.0.1:*
}

// Site is one site the grant reaches.
type Site struct{ CloudID, URL, Name string }

// Counters count what the server did.
type Counters struct {
	Authorizations int `json:"authorizations"`
	CodeExchanges  int `json:"code_exchanges"`
	Refreshes      int `json:"refreshes"`
	InvalidGrants  int `json:"invalid_grants"`
	Reuses         int `json:"reuses"`
}

// Server is the simulated authorization server.
type Server struct {
	cfg   Config
	sites []Site
}

// New returns a server for the given client and sites.
func New(cfg Config, sites []Site) *Server { return &Server{cfg: cfg, sites: sites} }

// Handler serves /authorize, /oauth/token and
// /oauth/token/accessible-resources.
func (s *Server) Handler() http.Handler { return http.NotFoundHandler() }

// ValidAccessToken reports whether tok is a live access token.
func (s *Server) ValidAccessToken(tok string) bool { return false }

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters { return Counters{} }

// IssueRefreshToken starts a new grant and returns its first refresh token.
func (s *Server) IssueRefreshToken() string { return "" }
