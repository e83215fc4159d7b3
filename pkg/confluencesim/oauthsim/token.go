package oauthsim

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// tokenRequest is the body of POST /oauth/token, JSON or form encoded.
type tokenRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Code         string `json:"code"`
	RedirectURI  string `json:"redirect_uri"`
	RefreshToken string `json:"refresh_token"`
}

// tokenResponse is the success body of POST /oauth/token.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
}

// The error answers, exact where the reference gives them.
const (
	descInvalidRefresh = "Unknown or invalid refresh token."
	descInvalidCode    = "Invalid authorization code"
)

// token answers POST /oauth/token for the grants authorization_code and
// refresh_token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	req, err := parseTokenRequest(w, r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "malformed token request"})
		return
	}
	if !s.clientOK(req) {
		s.count(func(c *Counters) { c.ClientAuthFailures++ })
		writeJSON(w, http.StatusUnauthorized, oauthError{"access_denied", "Unauthorized"})
		return
	}
	switch req.GrantType {
	case "authorization_code":
		s.exchangeCode(w, req)
	case "refresh_token":
		s.refreshGrant(w, req)
	default:
		writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "grant_type must be authorization_code or refresh_token"})
	}
}

func (s *Server) clientOK(req tokenRequest) bool {
	id := subtle.ConstantTimeCompare([]byte(req.ClientID), []byte(s.cfg.ClientID)) == 1
	secret := subtle.ConstantTimeCompare([]byte(req.ClientSecret), []byte(s.cfg.ClientSecret)) == 1
	return id && secret && req.ClientID != ""
}

func (s *Server) exchangeCode(w http.ResponseWriter, req tokenRequest) {
	s.mu.Lock()
	c, ok := s.codes[req.Code]
	delete(s.codes, req.Code) // single use, whatever happens next
	if !ok || !s.cfg.Now().Before(c.expires) || c.redirectURI != req.RedirectURI {
		s.counters.InvalidGrants++
		s.mu.Unlock()
		writeJSON(w, http.StatusForbidden, oauthError{"invalid_grant", descInvalidCode})
		return
	}
	p := s.issuePair(s.newFamily(c.scopes), "authorization_code", false)
	s.counters.CodeExchanges++
	s.mu.Unlock()
	writeTokens(w, p)
}

func (s *Server) refreshGrant(w http.ResponseWriter, req tokenRequest) {
	s.mu.Lock()
	p, outcome := s.useRefreshToken(req.RefreshToken)
	switch outcome {
	case refreshOK:
		s.counters.Refreshes++
	case refreshReuse:
		s.counters.Refreshes++
		s.counters.Reuses++
	case refreshRevoked:
		s.counters.Revocations++
		s.counters.InvalidGrants++
	default:
		s.counters.InvalidGrants++
	}
	s.mu.Unlock()
	if outcome == refreshInvalid || outcome == refreshRevoked {
		writeJSON(w, http.StatusForbidden, oauthError{"invalid_grant", descInvalidRefresh})
		return
	}
	writeTokens(w, p)
}

func writeTokens(w http.ResponseWriter, p tokenPair) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: p.access, ExpiresIn: p.expiresIn, Scope: strings.Join(p.scopes, " "),
		RefreshToken: p.refresh, TokenType: "Bearer",
	})
}

func parseTokenRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, error) {
	var req tokenRequest
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
			return req, err
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			return req, err
		}
		f := r.PostForm
		req = tokenRequest{
			GrantType: f.Get("grant_type"), ClientID: f.Get("client_id"), ClientSecret: f.Get("client_secret"),
			Code: f.Get("code"), RedirectURI: f.Get("redirect_uri"), RefreshToken: f.Get("refresh_token"),
		}
	}
	if id, secret, ok := r.BasicAuth(); ok && req.ClientID == "" {
		req.ClientID, req.ClientSecret = id, secret
	}
	return req, nil
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
