package metrics

import "github.com/prometheus/client_golang/prometheus"

// Token refresh outcomes (label outcome of conflux_token_refreshes_total).
const (
	RefreshOK          = "ok"                     // rotated and persisted
	RefreshFailed      = "failed"                 // the token endpoint or the bucket failed; retried with back-off
	RefreshSuperseded  = "superseded"             // another replica rotated first; its token is kept
	RefreshReauthorize = "reauthorization_needed" // Atlassian refused the refresh token (invalid_grant)
)

func newTokenRefreshes() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "conflux_token_refreshes_total",
		Help: "OAuth token refreshes the token broker attempted, by outcome (ok, failed, superseded, reauthorization_needed).",
	}, []string{"outcome"})
	for _, o := range []string{RefreshOK, RefreshFailed, RefreshSuperseded, RefreshReauthorize} {
		c.WithLabelValues(o) // present at 0 from the start
	}
	return c
}

// TokenRefreshed counts one refresh attempt of the token broker by its
// outcome (RefreshOK, …).
func (m *Metrics) TokenRefreshed(outcome string) {
	if m == nil {
		return
	}
	m.refreshes.WithLabelValues(outcome).Inc()
}
