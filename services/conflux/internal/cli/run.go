package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

type runCmd struct {
	Once    bool          `help:"Crawl once and exit: 0 when the crawl is complete with nothing failed; otherwise the exit code says why (see conflux help) with a summary of what failed."`
	Force   bool          `help:"Let the sweep delete more than sink.max_delete_share of a space."`
	Timeout time.Duration `help:"With --once, give up (exit 6) if the crawl is not complete after this long; 0 waits as long as it takes." default:"0"`
}

func (r *runCmd) Run(g *Globals) error {
	return withApp(g, serveBus, r.run)
}

func (r *runCmd) run(ctx context.Context, a *app.App) error {
	defer softMemoryLimit(a)()
	if a.Config.UsersCSV != "" {
		if _, err := a.ImportUsers(ctx, a.Config.UsersCSV, Stdout); err != nil {
			return err
		}
	}
	stagesCtx, stopStages := context.WithCancel(ctx)
	defer stopStages()
	var stagesErr error
	stopped := make(chan struct{})
	go func() {
		stagesErr = a.RunStages(stagesCtx, app.Stages)
		close(stopped)
	}()

	if !r.Once {
		s := app.Scheduler{App: a, Every: a.Config.Crawl, Out: Stdout}
		err := s.Run(stagesCtx, stopped)
		stopStages()
		<-stopped
		return errors.Join(err, stagesErr)
	}
	id, err := a.Request(ctx, proto.CrawlFull, r.Force)
	if err != nil {
		return err
	}
	a.Log.Info("crawl requested", "crawl_id", id, "kind", proto.CrawlFull)
	wctx, cancel := withTimeout(ctx, r.Timeout)
	defer cancel()
	res, err := a.Wait(wctx, id, stopped, a.Progress(id, time.Now()))
	var audited bytes.Buffer
	if err == nil {
		// The stages still run: an over-grant is re-resolved at once.
		a.AuditAfterCrawl(wctx, &audited, res)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// Read what was pending before the stages stop taking it.
		err = a.TimedOut(ctx, id, r.Timeout)
	}
	stopStages()
	if err != nil {
		// Timed out or interrupted: do not wait out the stages' grace
		// period. What they had not acknowledged is delivered again on the
		// next run.
		select {
		case <-stopped:
		case <-time.After(stopWait):
		}
		return err
	}
	<-stopped
	if err := errors.Join(stagesErr, err); err != nil {
		return err
	}
	app.PrintSummary(Stdout, res)
	_, _ = audited.WriteTo(Stdout)
	if err := app.Outcome(res); err != nil {
		return fmt.Errorf("crawl %s: %w", id, err)
	}
	return nil
}

// stopWait bounds the wait for the stages after a timed out or
// interrupted run --once.
const stopWait = time.Second

// withTimeout is context.WithTimeout, or no deadline for d <= 0.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
