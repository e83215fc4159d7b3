package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/conflux-dev/conflux/pkg/audit"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// defaultAuditSample is what `conflux audit` checks when neither --sample
// nor audit.sample says.
const defaultAuditSample = 50

// auditCmd is `conflux audit [--sample N]`.
type auditCmd struct {
	Sample int `help:"Documents to check (default audit.sample, or 50 when that is 0)."`
}

func (c *auditCmd) Run(g *Globals) error {
	return withApp(g, anyBus, c.audit)
}

func (c *auditCmd) audit(ctx context.Context, a *app.App) error {
	n := c.Sample
	if n <= 0 {
		n = a.Config.Audit.Sample
	}
	if n <= 0 {
		n = defaultAuditSample
	}
	if a.Config.NATS.URL == "" {
		// The embedded server: nobody else runs the stages an audit needs
		// (credentials; the resolver and the sink for a re-resolve).
		defer runInBackground(ctx, a, app.AuditStages)()
	}
	rep, err := a.Audit(ctx, n)
	rep.Print(Stdout)
	switch {
	case err != nil:
		return err
	case !rep.OK():
		return fmt.Errorf("%w: %d over-grants, %d under-grants", audit.ErrMismatch, rep.Over, rep.Under)
	case rep.Skipped != "":
		return errors.New("audit checked nothing: " + rep.Skipped)
	}
	return nil
}

// runInBackground runs stages until the returned stop is called.
func runInBackground(ctx context.Context, a *app.App, stages []string) func() {
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.RunStages(sctx, stages) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			a.Log.Warn("stages stopped with an error", "err", err)
		}
	}
}
