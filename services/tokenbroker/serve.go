package tokenbroker

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/micro"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/tokens"
)

// HealthSubject is the micro endpoint "health" of a site's broker:
// conflux.<site>.token.health (next to token.get and token.invalidate).
func (s *Service) HealthSubject() string {
	return strings.TrimSuffix(s.sub.TokenGet(), ".get") + ".health"
}

// handlers are the three endpoints of the micro service.
type handlers struct{ get, invalidate, health micro.HandlerFunc }

// serve registers this replica's micro service "conflux-tokenbroker":
// endpoints get, invalidate and health in the default queue group, so that
// one replica answers each request; $SRV.STATS answers from every replica
// with its Health.
func (s *Service) serve() (micro.Service, error) {
	mode := config.AuthOAuth2
	h := handlers{get: s.handleGet, invalidate: s.handleInvalidate, health: s.handleHealth}
	if s.static != nil {
		mode = config.AuthAPIToken
		h = handlers{get: s.static.handle, invalidate: s.static.handle, health: s.handleHealth}
	}
	svc, err := micro.AddService(s.d.NC, micro.Config{
		Name: ServiceName, Version: "1.0.0",
		Description: "hands out Confluence credentials; the only holder of the secrets",
		Metadata:    map[string]string{"site": s.d.Config.Site, "mode": mode, "holder": s.o.holder},
		StatsHandler: func(*micro.Endpoint) any {
			return s.Health()
		},
	})
	if err != nil {
		return nil, fmt.Errorf("add micro service: %w", err)
	}
	for _, e := range []struct {
		name, subject string
		h             micro.HandlerFunc
	}{
		{"get", s.sub.TokenGet(), h.get},
		{"invalidate", s.sub.TokenInvalidate(), h.invalidate},
		{"health", s.HealthSubject(), h.health},
	} {
		if err := svc.AddEndpoint(e.name, e.h, micro.WithEndpointSubject(e.subject)); err != nil {
			_ = svc.Stop()
			return nil, fmt.Errorf("add endpoint %s: %w", e.name, err)
		}
	}
	return svc, nil
}

// handleGet answers the current access token, waiting (bounded) for a
// refresh when there is none.
func (s *Service) handleGet(req micro.Request) {
	s.noteDemand()
	st, err := s.await(nil)
	s.respond(req, st, err)
}

// handleInvalidate forces a refresh when the rejected credential is the
// current one (and old enough, see WithMinForcedInterval), then answers the
// new credential. An invalidation of an older credential only gets the
// current one: it was already replaced.
func (s *Service) handleInvalidate(req micro.Request) {
	var r tokens.InvalidateRequest
	if err := json.Unmarshal(req.Data(), &r); err != nil {
		_ = req.Error(tokens.CodeBadRequest, "malformed invalidate request", mustJSON(tokens.ErrorReply{Error: tokens.ErrorBadRequest, Message: "malformed invalidate request"}))
		return
	}
	s.noteDemand()
	s.mu.Lock()
	s.counters.Invalidations++
	cur := s.st
	if r.Fingerprint != "" && r.Fingerprint == fingerprint(bearer(cur)) && time.Since(cur.RotatedAt) >= s.o.minForcedInterval {
		s.force = r.Fingerprint
	}
	forced := s.force
	s.mu.Unlock()
	if forced != "" {
		s.log.Info("credential invalidated by a client; refreshing", "token_fp", short(cur.AccessToken))
		s.poke()
	}
	st, err := s.await(func(st State) bool { return forced == "" || fingerprint(bearer(st)) != forced })
	s.respond(req, st, err)
}

func (s *Service) handleHealth(req micro.Request) { _ = req.RespondJSON(s.Health()) }

// errReauthorization and errUnavailable are what await reports.
var (
	errReauthorization = errors.New(StatusReauthorizationNeeded)
	errUnavailable     = errors.New("no credential available")
)

// await returns a usable state that accept takes (nil: any), waiting up to
// WithWaitTimeout for the refresher. It fails at once when the grant needs
// reauthorization, and when the refresher is backing off after a failure
// (then a usable state is still returned).
func (s *Service) await(accept func(State) bool) (State, error) {
	deadline := time.Now().Add(s.o.waitTimeout)
	for {
		s.mu.Lock()
		st, changed, backoff, lastErr := s.st, s.changed, s.backoffUntil, s.lastErr
		s.mu.Unlock()
		now := time.Now()
		usable := st.usable(now, serveMargin(st))
		switch {
		case st.Status == StatusReauthorizationNeeded:
			return st, fmt.Errorf("%w: %s", errReauthorization, st.Reason)
		case usable && (accept == nil || accept(st)):
			return st, nil
		case usable && now.Before(backoff):
			return st, nil // a forced refresh failed: the current token is all there is
		case now.Before(backoff) && lastErr != "":
			return st, fmt.Errorf("%w: %s", errUnavailable, lastErr)
		case !now.Before(deadline):
			return st, fmt.Errorf("%w: no access token after waiting %s", errUnavailable, s.o.waitTimeout)
		}
		s.poke()
		t := time.NewTimer(deadline.Sub(now))
		select {
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

func (s *Service) respond(req micro.Request, st State, err error) {
	switch {
	case errors.Is(err, errReauthorization):
		_ = req.Error(tokens.CodeReauthorization, StatusReauthorizationNeeded, mustJSON(tokens.ErrorReply{
			Error: tokens.ErrorReauthorization, Message: err.Error(), Command: s.reauthorizeCommand(),
		}))
	case err != nil:
		_ = req.Error(tokens.CodeUnavailable, "credential unavailable", mustJSON(tokens.ErrorReply{Error: tokens.ErrorUnavailable, Message: err.Error()}))
	default:
		s.count(func(c *Counters) { c.Served++ })
		_ = req.RespondJSON(tokens.Reply{Authorization: bearer(st), BaseURL: st.BaseURL, ExpiresAt: st.Expiry})
	}
}

// noteDemand records that a client wants tokens; the refresher then keeps
// the token fresh ahead of expiry. It wakes the refresher when demand
// starts after a quiet period.
func (s *Service) noteDemand() {
	now := time.Now()
	s.mu.Lock()
	quiet := s.lastDemand.Before(now.Add(-max(s.st.ttl()/2, time.Second)))
	s.lastDemand = now
	s.mu.Unlock()
	if quiet {
		s.poke()
	}
}

// poke wakes the refresher without blocking.
func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
