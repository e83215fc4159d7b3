package worker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/proto"
)

// serveMetrics serves a stage binary's /metrics, /healthz and /readyz on
// metrics.addr (when set): ready once connected to NATS with every
// consumer of the stage bound.
func serveMetrics(ctx context.Context, stage string, d Deps) error {
	if d.Config.Metrics.Addr == "" {
		return nil
	}
	mine := StageConsumers(d.Config, []string{stage})
	if err := d.Metrics.Register(metrics.NewConsumerLag(d.JS, mine)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	_, err := d.Metrics.Serve(ctx, d.Config.Metrics.Addr, d.Log(), ReadyChecks(d.NC, d.Metrics, mine)...)
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

// StageConsumers lists the durable consumers the given stages run: the
// topology's, with the sink's replaced by one per configured sink
// ("sink_docs-<name>_<site>"; the sink named "default" keeps the
// topology's consumer).
func StageConsumers(cfg config.Config, stages []string) []proto.Consumer {
	var out []proto.Consumer
	for _, c := range proto.Consumers(cfg.Site, proto.Options{}) {
		if !slices.Contains(stages, c.Stage) {
			continue
		}
		if c.Stage != proto.StageSink {
			out = append(out, c)
			continue
		}
		for _, s := range cfg.SinkList() {
			named := c
			named.Config.Durable = SinkConsumer(cfg.Site, s.Name)
			out = append(out, named)
		}
	}
	return out
}

// SinkConsumer returns the durable consumer of the sink named name: the
// topology's sink consumer for "default" (so that a configuration with one
// sink keeps its position in the stream), else "sink_docs-<name>_<site>".
func SinkConsumer(site, name string) string {
	if name == config.DefaultSinkName {
		return proto.Durable(proto.StageSink, "docs", site)
	}
	return proto.Durable(proto.StageSink, "docs-"+name, site)
}
