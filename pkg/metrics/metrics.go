// Package metrics is what a worker exports to Prometheus: the stages'
// messages and handler latency, the Confluence calls by endpoint and
// status, the time spent waiting on rate limits, the bytes downloaded and
// the consumers' lag. A *Metrics implements stage.Observer and
// confluence.Observer; the nil *Metrics observes nothing.
package metrics

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/conflux-dev/conflux/pkg/stage"
)

// Metrics holds one process's collectors in a registry of its own.
type Metrics struct {
	reg *prometheus.Registry

	messages    *prometheus.CounterVec
	handle      *prometheus.HistogramVec
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	rateLimited prometheus.Counter
	waited      prometheus.Counter
	budget      prometheus.Gauge
	nearLimit   prometheus.Counter
	downloaded  prometheus.Counter
	audit       *auditMetrics
	refreshes   *prometheus.CounterVec
	acl         *aclMetrics

	mu    sync.Mutex
	bound map[string]bool // stage/durable → the runner pulls
}

// New registers every collector, the Go runtime's and the process's too.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), bound: map[string]bool{}, audit: newAuditMetrics(),
		refreshes: newTokenRefreshes(), acl: newACLMetrics()}
	m.messages = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "conflux_stage_messages_total",
		Help: "Messages a stage settled, by outcome (acked, retried, dead_lettered, interrupted).",
	}, []string{"stage", "outcome"})
	m.handle = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "conflux_stage_handle_seconds",
		Help:    "Time from a message's delivery to its settlement, decoding and handling included.",
		Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
	}, []string{"stage"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "conflux_confluence_requests_total",
		Help: "Confluence API attempts by method, endpoint template and HTTP status (0: no answer).",
	}, []string{"method", "endpoint", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "conflux_confluence_request_seconds",
		Help:    "Time of a Confluence API attempt up to the answer's headers, by endpoint template.",
		Buckets: prometheus.ExponentialBuckets(0.01, 3, 9),
	}, []string{"endpoint"})
	m.rateLimited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "conflux_confluence_rate_limited_total",
		Help: "Confluence answers 429 Too Many Requests.",
	})
	m.waited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "conflux_confluence_wait_seconds_total",
		Help: "Time requests were held by Retry-After, a fleet-wide pause or the request-rate limit.",
	})
	m.budget = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "conflux_confluence_budget_remaining",
		Help: "Requests or points left as the last rate-limit headers said (-1: not sent).",
	})
	m.nearLimit = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "conflux_confluence_near_limit_total",
		Help: "Answers that said the rate limit is near (X-RateLimit-NearLimit).",
	})
	m.downloaded = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "conflux_attachment_bytes_downloaded_total",
		Help: "Bytes of attachment bodies read from Confluence.",
	})
	m.budget.Set(-1)
	m.reg.MustRegister(m.messages, m.handle, m.requests, m.latency, m.rateLimited, m.waited,
		m.budget, m.nearLimit, m.downloaded,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(m.audit.collectors()...)
	m.reg.MustRegister(m.refreshes)
	m.reg.MustRegister(m.acl.collectors()...)
	return m
}

// Registry is where the collectors are, for /metrics and for a caller's
// own collectors (Register).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Register adds collectors of the caller's own (the consumers' lag).
func (m *Metrics) Register(c ...prometheus.Collector) error {
	for _, x := range c {
		if err := m.reg.Register(x); err != nil {
			return err
		}
	}
	return nil
}

// Bound records that a stage's runner holds its consumer (stage.Observer).
func (m *Metrics) Bound(stage, durable string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.bound[stage+"/"+durable] = true
	m.mu.Unlock()
}

// IsBound reports whether a runner of the stage holds the durable.
func (m *Metrics) IsBound(stage, durable string) bool {
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bound[stage+"/"+durable]
}

// Settled counts one settled message (stage.Observer).
func (m *Metrics) Settled(stg string, o stage.Outcome, took time.Duration) {
	if m == nil {
		return
	}
	m.messages.WithLabelValues(stg, string(o)).Inc()
	if o != stage.Interrupted {
		m.handle.WithLabelValues(stg).Observe(took.Seconds())
	}
}

// Request counts one Confluence attempt (confluence.Observer).
func (m *Metrics) Request(method, endpoint string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(method, endpoint, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(endpoint).Observe(took.Seconds())
	if status == 429 {
		m.rateLimited.Inc()
	}
}

// Waited adds time a request was held (confluence.Observer).
func (m *Metrics) Waited(d time.Duration) {
	if m == nil {
		return
	}
	m.waited.Add(d.Seconds())
}

// Budget records the rate-limit budget left (confluence.Observer).
func (m *Metrics) Budget(remaining float64, near bool) {
	if m == nil {
		return
	}
	m.budget.Set(remaining)
	if near {
		m.nearLimit.Inc()
	}
}

// Downloaded adds attachment bytes read (confluence.Observer).
func (m *Metrics) Downloaded(n int) {
	if m == nil {
		return
	}
	m.downloaded.Add(float64(n))
}
