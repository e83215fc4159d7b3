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

// stages are the stages conflux runs, one per entry of proto.Stages and
// in its order (TestStagesFollowTheTable).
var stages = []worker.Stage{
	tokenbroker.Stage, enumerator.Stage, fetcher.Stage, attachments.Stage,
	extractor.Stage, permissions.Stage, sink.Stage,
}

// Stages lists every stage's name in pipeline order (proto.Stages): the
// token broker first, so that credentials are there when the others call
// Confluence.
var Stages = proto.StageNames()

// lookup returns the named stage.
func lookup(name string) (worker.Stage, error) {
	for _, s := range stages {
		if s.Name == name {
			return s, nil
		}
	}
	return worker.Stage{}, fmt.Errorf("unknown stage %q: want one of %s", name, strings.Join(Stages, ", "))
}

// build makes one stage, with the process's Confluence client if the
// stage calls Confluence.
func (a *App) build(ctx context.Context, st worker.Stage, client *confluence.Client) (worker.Service, error) {
	d := worker.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Logger: a.Log, Metrics: a.Metrics}
	if st.Spec().CallsConfluence {
		d.Client = client
	}
	return st.New(ctx, d)
}

// RunStages runs the named stages in this process until ctx is done, then
// waits for each to drain. The first stage that fails stops the others.
func (a *App) RunStages(ctx context.Context, names []string) error {
	var run []worker.Stage
	for _, n := range names {
		st, err := lookup(n)
		if err != nil {
			return err
		}
		run = append(run, st)
	}
	// Only stages that call Confluence get a client: it subscribes to the
	// fleet's rate-limit subjects, which the NATS users of the others
	// (deployments/nats/accounts.conf) may not read.
	var client *confluence.Client
	if slices.ContainsFunc(run, func(s worker.Stage) bool { return s.Spec().CallsConfluence }) {
		var err error
		if client, err = a.Client(ctx); err != nil {
			return err
		}
	}
	worker.ServeMicro(ctx, a.NC, a.JS, a.Config, names, a.Log)
	if err := a.serveMetrics(ctx, names, client); err != nil {
		return err
	}
	var built []worker.Service
	for _, st := range run {
		r, err := a.build(ctx, st, client)
		if err != nil {
			if ctx.Err() != nil { // stopped while starting: not a failure
				return nil
			}
			return fmt.Errorf("stage %s: %w", st.Name, err)
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
