package tokenbroker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/metrics"
)

// action is what the refresher has to do.
type action int

const (
	actNone    action = iota
	actRefresh        // rotate the refresh token, get a new access token
	actLookup         // find the cloud id with the current access token
)

// serveMargin is how much life a token must have left to be handed out:
// a tenth of its lifetime, at most 30 s.
func serveMargin(st State) time.Duration { return min(30*time.Second, st.ttl()/10) }

// ahead is how long before expiry a token in demand is refreshed.
func (s *Service) ahead(st State) time.Duration { return min(s.o.refreshAhead, st.ttl()/5) }

// plan says what to do with st at now, or when to look again. A token is
// refreshed ahead of expiry only while clients ask for tokens (within the
// last token lifetime); an idle grant is refreshed on the next request or
// at the keep-alive.
func (s *Service) plan(st State, now time.Time) (action, time.Time, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recheck := now.Add(time.Hour)
	live := st.Expiry.Sub(now) > serveMargin(st)
	switch {
	case st.Status != StatusOK:
		return actNone, recheck, ""
	case now.Before(s.backoffUntil):
		return actNone, s.backoffUntil, ""
	case st.AccessToken == "":
		return actRefresh, now, "no access token yet"
	case s.force != "" && s.force == fingerprint(bearer(st)):
		return actRefresh, now, "invalidated by a client"
	case st.BaseURL == "" && live:
		return actLookup, now, "cloud id unknown"
	case st.BaseURL == "":
		return actRefresh, now, "cloud id unknown and access token expired"
	}
	due, why := st.RotatedAt.Add(s.o.keepAlive), "keep-alive"
	if s.lastDemand.After(now.Add(-st.ttl())) {
		if ahead := st.Expiry.Add(-s.ahead(st)); ahead.Before(due) {
			due, why = ahead, "ahead of expiry"
			if !live {
				why = "expired"
			}
		}
	}
	if due.After(now) {
		if due.After(recheck) {
			due = recheck
		}
		return actNone, due, ""
	}
	return actRefresh, now, why
}

// refreshLoop refreshes when plan says so, until ctx is done.
func (s *Service) refreshLoop(ctx context.Context) {
	for ctx.Err() == nil {
		st, changed := s.snapshot()
		act, at, _ := s.plan(st, time.Now())
		if act == actNone {
			s.waitUntil(ctx, at, changed, s.wake)
			continue
		}
		s.underLease(ctx, changed)
	}
}

// waitUntil returns at t, on a change, on wake, or when ctx is done.
func (s *Service) waitUntil(ctx context.Context, t time.Time, changed <-chan struct{}, wake <-chan struct{}) {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	case <-changed:
	case <-wake:
	}
}

// underLease takes the lease and does what the freshly read state needs.
// Without the lease it waits for the holder's result (or the lease's end).
func (s *Service) underLease(ctx context.Context, changed <-chan struct{}) {
	l, ok, err := s.acquireLease(ctx)
	if err != nil {
		s.fail(ctx, err.Error())
		return
	}
	if !ok {
		s.count(func(c *Counters) { c.LeaseContended++ })
		s.waitUntil(ctx, time.Now().Add(max(50*time.Millisecond, s.leaseTTL/5)), changed, nil)
		return
	}
	defer l.Release()
	// The critical section outlives a cancelled ctx: a rotated refresh
	// token must reach the bucket even when the replica is stopping.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), criticalSectionTimeout)
	defer cancel()
	st, rev, err := s.reread(cctx)
	if err != nil {
		s.fail(ctx, err.Error())
		return
	}
	switch act, _, why := s.plan(st, time.Now()); act {
	case actRefresh:
		s.rotate(cctx, st, rev, why)
	case actLookup:
		s.lookup(cctx, st, rev)
	}
}

// rotate refreshes with st's refresh token and persists the result (CAS on
// rev) before the new access token can be handed out.
func (s *Service) rotate(ctx context.Context, st State, rev uint64, why string) {
	tok, err := s.exchange(ctx, st.RefreshToken)
	if err != nil {
		s.d.Metrics.TokenRefreshed(s.refreshFailed(ctx, st, rev, err))
		return
	}
	now := time.Now()
	next := st
	next.RefreshToken, next.AccessToken, next.Expiry = tok.RefreshToken, tok.AccessToken, tok.Expiry
	if next.Expiry.IsZero() {
		next.Expiry = now.Add(time.Hour)
	}
	next.RotatedAt, next.Holder, next.Status, next.Reason = now, s.o.holder, StatusOK, ""
	next.Refreshes++
	newRev, err := s.persist(ctx, next, rev)
	if errors.Is(err, errSuperseded) {
		s.count(func(c *Counters) { c.CASConflicts++ })
		s.d.Metrics.TokenRefreshed(metrics.RefreshSuperseded)
		s.log.Warn("another replica refreshed first; keeping its token", "token_fp", short(next.AccessToken))
		_, _, _ = s.reread(ctx)
		return
	}
	if err != nil {
		s.log.Error("rotated refresh token not persisted; another replica will refresh again with the previous one (within Atlassian's reuse window)",
			"refresh_fp", short(next.RefreshToken), "error", err.Error())
		s.fail(ctx, "persist the rotated refresh token: "+err.Error())
		s.d.Metrics.TokenRefreshed(metrics.RefreshFailed)
		return
	}
	s.apply(next, newRev)
	s.succeeded()
	s.d.Metrics.TokenRefreshed(metrics.RefreshOK)
	s.logRefresh(next, newRev, why)
	if next.BaseURL == "" {
		s.lookup(ctx, next, newRev)
	}
}

// exchange asks the token endpoint for a new pair (grant refresh_token).
func (s *Service) exchange(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	return s.oauth.TokenSource(s.httpContext(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
}

// refreshFailed classifies a failed refresh: invalid_grant is terminal,
// anything else is retried with back-off. It returns the outcome for the
// metrics (metrics.RefreshReauthorize or metrics.RefreshFailed).
func (s *Service) refreshFailed(ctx context.Context, st State, rev uint64, err error) string {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		s.fail(ctx, "refresh: "+err.Error())
		return metrics.RefreshFailed
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	switch {
	case re.ErrorCode == "invalid_grant":
		s.markReauthorization(ctx, st, rev, fmt.Sprintf("Atlassian refused the refresh token (HTTP %d invalid_grant): expired, revoked, or the app's consent was withdrawn", status))
		return metrics.RefreshReauthorize
	case status == http.StatusUnauthorized:
		s.fail(ctx, fmt.Sprintf("the token endpoint refused the client id or secret (HTTP %d %s); check auth.oauth2.client_id and client_secret", status, re.ErrorCode))
	default:
		s.fail(ctx, fmt.Sprintf("refresh: token endpoint answered HTTP %d %s", status, re.ErrorCode))
	}
	return metrics.RefreshFailed
}

// markReauthorization records the terminal status in the bucket (so every
// replica stops) and tells the operator what to run.
func (s *Service) markReauthorization(ctx context.Context, st State, rev uint64, reason string) {
	next := st
	next.Status, next.Reason, next.Holder = StatusReauthorizationNeeded, reason, s.o.holder
	newRev, err := s.persist(ctx, next, rev)
	switch {
	case errors.Is(err, errSuperseded):
		_, _, _ = s.reread(ctx)
		return
	case err != nil:
		s.fail(ctx, reason)
	default:
		s.apply(next, newRev)
	}
	s.log.Error("OAuth reauthorization needed: the crawl is paused until a new refresh token is configured",
		"reason", reason, "command", s.reauthorizeCommand(),
		"then", "set auth.oauth2.refresh_token in conflux.yaml to the printed refresh token and restart the token broker")
}

// fail records a transient failure and backs off.
func (s *Service) fail(ctx context.Context, msg string) {
	s.mu.Lock()
	s.failures++
	d := s.o.backoffMin << min(s.failures-1, 20)
	d = min(d, s.o.backoffMax)
	d = d/2 + rand.N(d/2+1)
	s.backoffUntil = time.Now().Add(d)
	s.lastErr = msg
	s.counters.RefreshFailures++
	s.notifyLocked()
	s.mu.Unlock()
	if ctx.Err() == nil {
		s.log.Warn("token refresh failed; retrying later", "error", msg, "retry_in", d.Round(time.Millisecond).String(), "attempt", s.failureCount())
	}
}

func (s *Service) failureCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures
}

func (s *Service) succeeded() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures, s.backoffUntil, s.lastErr, s.force = 0, time.Time{}, "", ""
	s.counters.Refreshes++
}

func (s *Service) count(f func(*Counters)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.counters)
}

// logRefresh reports a refresh with the family's age, and warns when the
// absolute expiry is near.
func (s *Service) logRefresh(st State, rev uint64, why string) {
	now := time.Now()
	age := familyAge(st, now)
	s.log.Info("access token refreshed", "reason", why, "token_fp", short(st.AccessToken), "refresh_fp", short(st.RefreshToken),
		"expires_at", st.Expiry, "revision", rev, "family_age", age.Round(time.Second).String(), "family_refreshes", st.Refreshes)
	s.warnAbsoluteExpiry(st, now)
}

func (s *Service) warnAbsoluteExpiry(st State, now time.Time) {
	left := s.o.absoluteExpiry - familyAge(st, now)
	if left > s.o.absoluteWarn {
		return
	}
	s.log.Warn("the OAuth grant nears Atlassian's absolute expiry; authorize again before it ends",
		"expires_in_days", int(left.Hours()/24), "family_started_at", st.FamilyStartedAt, "command", s.reauthorizeCommand())
}

func familyAge(st State, now time.Time) time.Duration {
	if st.FamilyStartedAt.IsZero() {
		return 0
	}
	return now.Sub(st.FamilyStartedAt)
}

func bearer(st State) string { return "Bearer " + st.AccessToken }

// reauthorizeCommand is the command line that gets a new refresh token.
// It names the client id but never the secret.
func (s *Service) reauthorizeCommand() string {
	cmd := "oauth2-tokenfetcher --api confluencecloud -i " + s.oauth.ClientID + ` -s "$CONFLUX_CLIENT_SECRET"`
	if u := s.oauth.Endpoint.AuthURL; u != "" && u != config.DefaultAuthURL {
		cmd += " --auth-url " + u
	}
	if u := s.oauth.Endpoint.TokenURL; u != "" && u != config.DefaultTokenURL {
		cmd += " --token-url " + u
	}
	return cmd
}
