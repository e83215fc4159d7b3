package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// Stdout is where results go.
var Stdout io.Writer = os.Stdout

// errNeedsURL: commands that talk to running workers cannot use the
// embedded server, which lives inside `conflux run`.
var errNeedsURL = errors.New("nats.url is empty: this command talks to running workers over NATS; set nats.url (the embedded server lives inside `conflux run`)")

type workerCmd struct {
	Stage string `arg:"" enum:"enumerator,fetcher,attachments,permissions,sink,tokenbroker" help:"The stage to run: enumerator, fetcher, attachments, permissions, sink or tokenbroker."`
}

func (w *workerCmd) Run(g *Globals) error {
	return withApp(g, true, func(ctx context.Context, a *app.App) error {
		return a.RunStages(ctx, []string{w.Stage})
	})
}

type crawlCmd struct {
	Incremental bool          `xor:"kind" help:"Fetch only what changed since each space's checkpoint."`
	Permissions bool          `xor:"kind" help:"Recompute every document's ACL without fetching bodies or files."`
	Force       bool          `help:"Let the sweep delete more than sink.max_delete_share of a space."`
	Wait        bool          `help:"Show progress and exit like run --once when the crawl is complete."`
	Timeout     time.Duration `help:"With --wait, give up (exit 6) if the crawl is not complete after this long; 0 waits as long as it takes." default:"0"`
}

func (c *crawlCmd) Run(g *Globals) error {
	return withApp(g, true, c.crawl)
}

func (c *crawlCmd) crawl(ctx context.Context, a *app.App) error {
	kind := proto.CrawlFull
	switch {
	case c.Incremental:
		kind = proto.CrawlIncremental
	case c.Permissions:
		kind = proto.CrawlPermissions
	}
	id, err := a.Request(ctx, kind, c.Force)
	if err != nil {
		return err
	}
	fmt.Fprintf(Stdout, "crawl %s (%s) requested\n", id, kind)
	if !c.Wait {
		return nil
	}
	wctx, cancel := withTimeout(ctx, c.Timeout)
	defer cancel()
	res, err := a.Wait(wctx, id, nil, app.NewProgress(app.Stderr, time.Now()))
	if err != nil {
		return err
	}
	app.PrintSummary(Stdout, res)
	if err := app.Outcome(res); err != nil {
		return fmt.Errorf("crawl %s: %w", id, err)
	}
	return nil
}

type statusCmd struct {
	Watch bool          `help:"Refresh until interrupted."`
	Every time.Duration `default:"2s" help:"Refresh interval with --watch."`
}

func (s *statusCmd) Run(g *Globals) error {
	return withApp(g, true, s.show)
}

func (s *statusCmd) show(ctx context.Context, a *app.App) error {
	var last app.StatusSnapshot
	for {
		var err error
		if last, err = a.PrintStatus(ctx, Stdout, last); err != nil {
			return err
		}
		if !s.Watch {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.Every):
		}
	}
}

type replayCmd struct {
	RebuildSink bool     `name:"rebuild-sink" required:"" help:"Write every document of the documents stream into the configured sink."`
	Sink        []string `name:"sink" help:"Rebuild only the sink with this name (repeatable; default: every configured sink)."`
}

func (r *replayCmd) Run(g *Globals) error {
	return withApp(g, false, func(ctx context.Context, a *app.App) error {
		n, err := a.RebuildSink(ctx, r.Sink...)
		if err != nil {
			return err
		}
		where := rebuiltWhere(a.Config, r.Sink)
		fmt.Fprintf(Stdout, "sink rebuilt from the documents stream: %d documents written to %s\n", n, where)
		return nil
	})
}

type dlqCmd struct {
	List    dlqListCmd    `cmd:"" default:"1" help:"List dead letters."`
	Redrive dlqRedriveCmd `cmd:"" help:"Publish dead letters again to their original subjects."`
}

type dlqListCmd struct {
	Limit int `default:"100" help:"At most this many."`
}

func (d *dlqListCmd) Run(g *Globals) error {
	return withApp(g, false, func(ctx context.Context, a *app.App) error { return a.ListDeadLetters(ctx, Stdout, d.Limit) })
}

type dlqRedriveCmd struct {
	Stage string `help:"Only dead letters of this stage."`
}

func (d *dlqRedriveCmd) Run(g *Globals) error {
	return withApp(g, false, func(ctx context.Context, a *app.App) error {
		n, err := a.RedriveDeadLetters(ctx, d.Stage)
		fmt.Fprintf(Stdout, "%d dead letters published again\n", n)
		return err
	})
}

type usersCmd struct {
	Import usersImportCmd `cmd:"" help:"Import the admin \"Export users\" CSV (account id to email) into NATS for every replica."`
}

type usersImportCmd struct {
	File string `arg:"" type:"existingfile" help:"The exported CSV."`
}

func (u *usersImportCmd) Run(g *Globals) error {
	return withApp(g, false, func(ctx context.Context, a *app.App) error {
		_, err := a.ImportUsers(ctx, u.File, Stdout)
		return err
	})
}

// withApp loads the configuration and opens the app for a command: against
// nats.url, or, unless needsURL, the embedded server's data directory when
// no `conflux run` holds it. It closes the app when fn returns.
func withApp(g *Globals, needsURL bool, fn func(context.Context, *app.App) error) error {
	cfg, log, err := g.load()
	if err != nil {
		return err
	}
	if needsURL && cfg.NATS.URL == "" {
		return &configError{errNeedsURL}
	}
	ctx, stop := signalContext()
	defer stop()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(ctx, a)
}
