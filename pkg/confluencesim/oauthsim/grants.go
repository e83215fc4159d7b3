package oauthsim

import (
	"slices"
	"strings"
	"time"
)

// authCode is an authorization code waiting for its exchange.
type authCode struct {
	redirectURI string
	scopes      []string
	expires     time.Time
}

// family is one consent: every refresh token rotated from it.
type family struct {
	id      string
	started time.Time
	scopes  []string
	revoked bool
}

// refreshToken is one refresh token of a family.
type refreshToken struct {
	value  string
	family *family
	issued time.Time
	usedAt time.Time // zero while unused; a used token is disabled
}

// accessToken is one access token.
type accessToken struct {
	family  *family
	expires time.Time
}

// refreshOutcome says why a refresh was refused.
type refreshOutcome int

const (
	refreshOK refreshOutcome = iota
	refreshReuse
	refreshInvalid
	refreshRevoked // reuse outside the window: the family is now revoked
)

// tokenPair is what a successful grant returns.
type tokenPair struct {
	access, refresh string
	scopes          []string
	expiresIn       int
}

func (s *Server) newFamily(scopes []string) *family {
	f := &family{id: randomToken(9), started: s.cfg.Now(), scopes: slices.Clone(scopes)}
	s.families[f.id] = f
	return f
}

func (s *Server) newRefreshToken(f *family) *refreshToken {
	rt := &refreshToken{value: randomToken(32), family: f, issued: s.cfg.Now()}
	s.refresh[rt.value] = rt
	return rt
}

// issuePair creates an access token (and a refresh token with
// offline_access) for f. The caller holds s.mu.
func (s *Server) issuePair(f *family, grant string, reuse bool) tokenPair {
	now := s.cfg.Now()
	s.pruneAccess(now)
	at := randomToken(32)
	s.access[at] = &accessToken{family: f, expires: now.Add(s.cfg.AccessTTL)}
	p := tokenPair{access: at, scopes: f.scopes, expiresIn: int(s.cfg.AccessTTL.Round(time.Second) / time.Second)}
	if p.expiresIn < 1 {
		p.expiresIn = 1
	}
	if slices.Contains(f.scopes, ScopeOfflineAccess) {
		p.refresh = s.newRefreshToken(f).value
	}
	s.issued = append(s.issued, Issue{At: now, Grant: grant, Family: f.id, AccessToken: at, RefreshToken: p.refresh, Reuse: reuse})
	return p
}

// pruneAccess forgets expired access tokens so the map stays small.
func (s *Server) pruneAccess(now time.Time) {
	if len(s.access) < 1024 {
		return
	}
	for k, a := range s.access {
		if now.After(a.expires) {
			delete(s.access, k)
		}
	}
}

// useRefreshToken applies the rotation rules to one refresh request. The
// caller holds s.mu.
func (s *Server) useRefreshToken(value string) (tokenPair, refreshOutcome) {
	now := s.cfg.Now()
	rt, ok := s.refresh[value]
	if !ok || rt.family.revoked {
		return tokenPair{}, refreshInvalid
	}
	f := rt.family
	if now.Sub(f.started) >= s.cfg.AbsoluteExpiry || now.Sub(rt.issued) >= s.cfg.InactivityExpiry {
		return tokenPair{}, refreshInvalid
	}
	if !rt.usedAt.IsZero() {
		if now.Sub(rt.usedAt) > s.cfg.ReuseWindow {
			f.revoked = true
			return tokenPair{}, refreshRevoked
		}
		return s.issuePair(f, "refresh_token", true), refreshReuse
	}
	rt.usedAt = now
	return s.issuePair(f, "refresh_token", false), refreshOK
}

// validAccess reports whether tok is a live access token and its family.
func (s *Server) validAccess(tok string) (*family, bool) {
	tok = strings.TrimSpace(tok)
	if t, ok := strings.CutPrefix(tok, "Bearer "); ok {
		tok = strings.TrimSpace(t)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.access[tok]
	if !ok || !s.cfg.Now().Before(a.expires) {
		return nil, false
	}
	return a.family, true
}

// ValidAccessToken reports whether tok (with or without the "Bearer "
// prefix) is a live access token; the gateway calls it on every request.
func (s *Server) ValidAccessToken(tok string) bool {
	_, ok := s.validAccess(tok)
	return ok
}
