package tokenbroker

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
)

// Health is what the broker reports on GET /healthz, the micro endpoint
// "health" and $SRV.STATS. It never contains a secret.
type Health struct {
	// Status is "ok", "reauthorization needed" (terminal until a new refresh
	// token is configured) or "unavailable" (refreshes failing, retried).
	Status string `json:"status"`
	// Reason explains a status other than ok; Command is what to run for a
	// reauthorization.
	Reason  string `json:"reason,omitempty"`
	Command string `json:"command,omitempty"`
	Mode    string `json:"mode"`
	Site    string `json:"site"`
	// Holder is this replica; RotatedBy the replica that wrote the state.
	Holder    string `json:"holder"`
	RotatedBy string `json:"rotated_by,omitempty"`
	CloudID   string `json:"cloud_id,omitempty"`
	BaseURL   string `json:"base_url,omitempty"`
	// ExpiresAt of the current access token; RotatedAt of the refresh token.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RotatedAt time.Time `json:"rotated_at,omitzero"`
	// The token family (one consent): when it started, its age, the days
	// left before Atlassian's absolute expiry, and its rotations.
	FamilyStartedAt     time.Time `json:"family_started_at,omitzero"`
	FamilyAgeDays       float64   `json:"family_age_days"`
	FamilyExpiresInDays float64   `json:"family_expires_in_days"`
	FamilyRefreshes     int64     `json:"family_refreshes"`
	// Revision of the state in the tokens bucket.
	Revision uint64 `json:"revision"`
	// LastError of this replica's refresher ("" after a success).
	LastError string `json:"last_error,omitempty"`
	// Replica holds this replica's counters.
	Replica Counters `json:"replica"`
}

// Counters are one replica's figures since it started.
type Counters struct {
	Refreshes       int64 `json:"refreshes"`
	RefreshFailures int64 `json:"refresh_failures"`
	CASConflicts    int64 `json:"cas_conflicts"`
	LeaseContended  int64 `json:"lease_contended"`
	Served          int64 `json:"served"`
	Invalidations   int64 `json:"invalidations"`
}

// Health returns this replica's view.
func (s *Service) Health() Health {
	if s.static != nil {
		return Health{Status: "ok", Mode: config.AuthAPIToken, Site: s.d.Config.Site, Holder: s.o.holder, BaseURL: s.d.Config.Site}
	}
	s.mu.Lock()
	st, rev, lastErr, c := s.st, s.rev, s.lastErr, s.counters
	s.mu.Unlock()
	now := time.Now()
	h := Health{
		Status: "ok", Mode: config.AuthOAuth2, Site: s.d.Config.Site, Holder: s.o.holder, RotatedBy: st.Holder,
		CloudID: st.CloudID, BaseURL: st.BaseURL, ExpiresAt: st.Expiry, RotatedAt: st.RotatedAt,
		FamilyStartedAt: st.FamilyStartedAt, FamilyRefreshes: st.Refreshes, Revision: rev,
		LastError: lastErr, Replica: c,
	}
	if !st.FamilyStartedAt.IsZero() {
		h.FamilyAgeDays = familyAge(st, now).Hours() / 24
		h.FamilyExpiresInDays = (s.o.absoluteExpiry - familyAge(st, now)).Hours() / 24
	}
	switch {
	case st.Status == StatusReauthorizationNeeded:
		h.Status, h.Reason, h.Command = StatusReauthorizationNeeded, st.Reason, s.reauthorizeCommand()
	case lastErr != "":
		h.Status, h.Reason = "unavailable", lastErr
	case rev == 0:
		h.Status, h.Reason = "unavailable", "starting"
	}
	return h
}

// HealthAddr is the address the /healthz listener is bound to ("" when
// there is none, or before Run has started it).
func (s *Service) HealthAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.healthAddr
}

// healthHandler serves GET /healthz.
type healthHandler struct{ s *Service }

func (h *healthHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/healthz" {
		http.NotFound(w, r)
		return
	}
	hl := h.s.Health()
	w.Header().Set("Content-Type", "application/json")
	if hl.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(hl)
}

// startHealth listens on WithHealthAddr, if set.
func (s *Service) startHealth() *http.Server {
	if s.o.healthAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.o.healthAddr)
	if err != nil {
		s.log.Error("health endpoint not started", "addr", s.o.healthAddr, "error", err.Error())
		return nil
	}
	srv := &http.Server{Handler: &healthHandler{s}, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("health endpoint", "error", err.Error())
		}
	}()
	s.mu.Lock()
	s.healthAddr = ln.Addr().String()
	s.mu.Unlock()
	s.log.Info("health endpoint listening", "addr", ln.Addr().String())
	return srv
}

func stopHealth(srv *http.Server) {
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
