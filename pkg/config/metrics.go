package config

import (
	"net"
	"strconv"
)

// Metrics is where a process serves its Prometheus metrics and health.
type Metrics struct {
	// Addr is the host:port that serves /metrics, /healthz and /readyz,
	// e.g. 127.0.0.1:9464 (port 0 picks a free one). Empty turns the
	// server off. Default "".
	Addr string `yaml:"addr"`
}

func (m Metrics) validate(v *validator) {
	if m.Addr == "" {
		return
	}
	host, port, err := net.SplitHostPort(m.Addr)
	if err != nil {
		v.add("metrics.addr", "%q is not host:port", m.Addr)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.add("metrics.addr", "port %q of %q is not 0..65535", port, m.Addr)
	}
	_ = host // empty host listens on every interface, as net.Listen does
}

// validateRate checks crawl.requests_per_second and crawl.burst.
func (c Crawl) validateRate(v *validator) {
	if c.RequestsPerSecond < 0 {
		v.add("crawl.requests_per_second", "%g is negative; 0 means no limit", c.RequestsPerSecond)
	}
	if c.Burst < 0 {
		v.add("crawl.burst", "%d is negative", c.Burst)
	}
}
