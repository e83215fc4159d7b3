package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/proto"
)

// serveMetrics serves a stage binary's /metrics, /healthz and /readyz on
// metrics.addr (when set): ready once connected to NATS with every
// consumer of the stage bound.
func serveMetrics(ctx context.Context, stage string, cfg config.Config, log *slog.Logger, nc *nats.Conn, js jetstream.JetStream, m *metrics.Metrics) error {
	if cfg.Metrics.Addr == "" {
		return nil
	}
	var mine []proto.Consumer
	for _, c := range proto.Consumers(cfg.Site, proto.Options{}) {
		if c.Stage == stage {
			mine = append(mine, c)
		}
	}
	if err := m.Register(metrics.NewConsumerLag(js, mine)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	_, err := m.Serve(ctx, cfg.Metrics.Addr, log, ReadyChecks(nc, m, mine)...)
	return err
}

// ReadyChecks are the readiness conditions every worker shares: connected
// to NATS, and every consumer of its stages held by a runner.
func ReadyChecks(nc *nats.Conn, m *metrics.Metrics, consumers []proto.Consumer) []metrics.Check {
	return []metrics.Check{
		{Name: "nats", Fn: func(context.Context) error {
			if !nc.IsConnected() {
				return errors.New("not connected")
			}
			return nil
		}},
		{Name: "consumers", Fn: func(context.Context) error {
			var missing []string
			for _, c := range consumers {
				if !m.IsBound(c.Stage, c.Config.Durable) {
					missing = append(missing, c.Config.Durable)
				}
			}
			if len(missing) > 0 {
				return fmt.Errorf("not bound: %s", strings.Join(missing, ", "))
			}
			return nil
		}},
	}
}
