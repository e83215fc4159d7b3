package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sourcegraph/conc/pool"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/attachments"
	"github.com/conflux-dev/conflux/services/enumerator"
	"github.com/conflux-dev/conflux/services/extractor"
	"github.com/conflux-dev/conflux/services/fetcher"
	"github.com/conflux-dev/conflux/services/permissions"
	"github.com/conflux-dev/conflux/services/sink"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

// Stages lists every stage in pipeline order; the token broker first, so
// that credentials are there when the others call Confluence.
var Stages = []string{
	proto.StageTokenBroker, proto.StageEnumerator, proto.StageFetcher,
	proto.StageAttachments, proto.StageExtractor, proto.StagePermissions, proto.StageSink,
}

// runner is what every stage service is.
type runner interface {
	Run(ctx context.Context) error
}

// build makes one stage.
func (a *App) build(ctx context.Context, name string, client *confluence.Client) (runner, error) {
	switch name {
	case proto.StageTokenBroker:
		return tokenbroker.New(tokenbroker.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Logger: a.Log, Metrics: a.Metrics})
	case proto.StageEnumerator:
		return enumerator.New(ctx, enumerator.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Client: client, Logger: a.Log, Metrics: a.Metrics})
	case proto.StageFetcher:
		return fetcher.New(ctx, fetcher.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Client: client, Logger: a.Log, Metrics: a.Metrics})
	case proto.StageAttachments:
		return attachments.New(attachments.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Client: client, Logger: a.Log, Metrics: a.Metrics})
	case proto.StageExtractor:
		return extractor.New(extractor.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Logger: a.Log, Metrics: a.Metrics})
	case proto.StagePermissions:
		return permissions.New(permissions.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Client: client, Logger: a.Log, Metrics: a.Metrics})
	case proto.StageSink:
		return sink.New(sink.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Logger: a.Log, Metrics: a.Metrics})
	}
	return nil, fmt.Errorf("unknown stage %q: want one of %s", name, strings.Join(Stages, ", "))
}

// RunStages runs the named stages in this process until ctx is done, then
// waits for each to drain. The first stage that fails stops the others.
func (a *App) RunStages(ctx context.Context, names []string) error {
	for _, n := range names {
		if !slices.Contains(Stages, n) {
			return fmt.Errorf("unknown stage %q: want one of %s", n, strings.Join(Stages, ", "))
		}
	}
	// Only stages that call Confluence get a client: it subscribes to the
	// fleet's rate-limit subjects, which the NATS users of the others
	// (deployments/nats/accounts.conf) may not read.
	var client *confluence.Client
	if slices.ContainsFunc(names, callsConfluence) {
		var err error
		if client, err = a.Client(ctx); err != nil {
			return err
		}
	}
	worker.ServeMicro(ctx, a.NC, a.JS, a.Config, names, a.Log)
	if err := a.serveMetrics(ctx, names, client); err != nil {
		return err
	}
	var built []runner
	for _, n := range names {
		r, err := a.build(ctx, n, client)
		if err != nil {
			if ctx.Err() != nil { // stopped while starting: not a failure
				return nil
			}
			return fmt.Errorf("stage %s: %w", n, err)
		}
		built = append(built, r)
	}
	p := pool.New().WithErrors().WithContext(ctx).WithCancelOnError()
	for i, r := range built {
		p.Go(func(ctx context.Context) error {
			if err := r.Run(ctx); err != nil && ctx.Err() == nil {
				return fmt.Errorf("stage %s: %w", names[i], err)
			}
			return nil
		})
	}
	return p.Wait()
}
