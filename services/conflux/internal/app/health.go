package app

import (
	"context"
	"fmt"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// serveMetrics serves /metrics, /healthz and /readyz on metrics.addr (when
// set) until ctx is done. The process is ready when it is connected to
// NATS, every consumer of its stages is bound, and a Confluence credential
// can be had (for stages that call Confluence).
func (a *App) serveMetrics(ctx context.Context, stages []string, client *confluence.Client) error {
	if a.Config.Metrics.Addr == "" {
		return nil
	}
	mine := worker.StageConsumers(a.Config, stages)
	if err := a.Metrics.Register(metrics.NewConsumerLag(a.JS, mine)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	checks := worker.ReadyChecks(a.NC, a.Metrics, mine)
	if client != nil { // only stages that call Confluence get one
		checks = append(checks, metrics.Check{Name: "token", Fn: client.CheckCredential})
	}
	addr, err := a.Metrics.Serve(ctx, a.Config.Metrics.Addr, a.Log, checks...)
	if err != nil {
		return err
	}
	a.MetricsAddr = addr
	return nil
}

// consumers lists every durable consumer of the site's stages as this
// configuration runs them (one per configured sink).
func (a *App) consumers() []proto.Consumer { return worker.StageConsumers(a.Config, Stages) }
