package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// auditMetrics count what the ACL audits found.
type auditMetrics struct {
	checks, calls, fixed prometheus.Counter
	mismatches           *prometheus.CounterVec
	last                 prometheus.Gauge
}

func newAuditMetrics() *auditMetrics {
	return &auditMetrics{
		checks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "conflux_audit_checks_total",
			Help: "Permission checks the ACL audit compared with the documents' ACLs.",
		}),
		calls: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "conflux_audit_calls_total",
			Help: "Confluence calls the ACL audit made.",
		}),
		fixed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "conflux_audit_fixed_total",
			Help: "Over-grants that the audit's re-resolve corrected.",
		}),
		mismatches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "conflux_audit_mismatches_total",
			Help: "ACL mismatches the audit found, by kind (over_grant: conflux allows what Confluence denies; under_grant).",
		}, []string{"kind"}),
		last: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "conflux_audit_last_timestamp_seconds",
			Help: "When the last ACL audit ended (Unix time).",
		}),
	}
}

func (a *auditMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{a.checks, a.calls, a.fixed, a.mismatches, a.last}
}

// Audited counts one ACL audit.
func (m *Metrics) Audited(checks, over, under, fixed, calls int) {
	if m == nil {
		return
	}
	m.audit.checks.Add(float64(checks))
	m.audit.calls.Add(float64(calls))
	m.audit.fixed.Add(float64(fixed))
	m.audit.mismatches.WithLabelValues("over_grant").Add(float64(over))
	m.audit.mismatches.WithLabelValues("under_grant").Add(float64(under))
	m.audit.last.Set(float64(time.Now().Unix()))
}
