package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// Stdout is where results go.
var Stdout io.Writer = os.Stdout

type workerCmd struct {
	Stage string `arg:"" enum:"${stages},scheduler" help:"The stage to run, one of ${stagelist}; or scheduler, which requests crawls on the crawl.*_every intervals (one replica at a time holds its lease)."`
}

func (w *workerCmd) Run(g *Globals) error {
	return withApp(g, needsBus, func(ctx context.Context, a *app.App) error {
		if w.Stage == "scheduler" {
			return a.RunScheduler(ctx, Stdout)
		}
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
	return withApp(g, needsBus, c.crawl)
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
	res, err := a.Wait(wctx, id, nil, a.Progress(id, time.Now()))
	if errors.Is(err, context.DeadlineExceeded) {
		return a.TimedOut(ctx, id, c.Timeout)
	}
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
	Watch bool          `help:"Refresh in place until interrupted."`
	JSON  bool          `name:"json" xor:"format" help:"Print one reading as JSON (for scripts)."`
	Every time.Duration `default:"2s" help:"Refresh interval with --watch."`
}

func (s *statusCmd) Run(g *Globals) error {
	return withApp(g, anyBus, s.show)
}

func (s *statusCmd) show(ctx context.Context, a *app.App) error {
	if s.JSON {
		return a.PrintStatusJSON(ctx, Stdout)
	}
	var last app.StatusSnapshot
	for first := true; ; first = false {
		if s.Watch {
			clearScreen(Stdout, first)
		}
		var err error
		if last, err = a.PrintStatus(ctx, Stdout, last); err != nil {
			if s.Watch && !first && !a.NC.IsConnected() {
				// The run this watched stopped and took its embedded
				// server with it (or the cluster went away).
				fmt.Fprintf(Stdout, "the run stopped: the bus is gone (%v)\n", err)
				return nil
			}
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
	RebuildSink bool      `name:"rebuild-sink" xor:"what" required:"" help:"Write every document of the documents stream into the configured sink."`
	Stage       string    `xor:"what" required:"" enum:"${replayable}," help:"Re-drive this stage's input stream: its consumers deliver again, from --since or --from-seq on (${replayable})."`
	Since       sinceFlag `xor:"from" help:"With --stage: from this time on (RFC 3339, e.g. 2026-12-05T10:00:00Z, or a duration ago, e.g. 2h)."`
	FromSeq     uint64    `name:"from-seq" xor:"from" help:"With --stage: from this stream sequence on."`
	Sink        []string  `name:"sink" help:"With --rebuild-sink: rebuild only the sink with this name (repeatable; default: every configured sink)."`
}

func (r *replayCmd) Run(g *Globals) error {
	if r.Stage != "" {
		if r.Since.IsZero() && r.FromSeq == 0 {
			return &configError{errors.New("replay --stage needs --since or --from-seq")}
		}
		return withApp(g, needsBus, func(ctx context.Context, a *app.App) error {
			done, err := a.ReplayStage(ctx, r.Stage, bus.StartAt{Sequence: r.FromSeq, Time: r.Since.Time})
			for _, d := range done {
				fmt.Fprintf(Stdout, "%s: %s on %s delivers again from sequence %d\n", r.Stage, d.Durable, d.Stream, d.From)
			}
			return err
		})
	}
	return withApp(g, anyBus, func(ctx context.Context, a *app.App) error {
		n, err := a.RebuildSink(ctx, r.Sink...)
		if err != nil {
			return err
		}
		where := rebuiltWhere(a.Config, r.Sink)
		fmt.Fprintf(Stdout, "sink rebuilt from the documents stream: %d documents written to %s\n", n, where)
		return nil
	})
}

// sinceFlag is a point in time given as RFC 3339 or as a duration ago.
type sinceFlag struct{ time.Time }

func (s *sinceFlag) UnmarshalText(b []byte) error {
	v := strings.TrimSpace(string(b))
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		s.Time = t
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is neither an RFC 3339 time nor a positive duration ago", v)
	}
	s.Time = time.Now().Add(-d)
	return nil
}

type dlqCmd struct {
	List    dlqListCmd    `cmd:"" default:"1" help:"List dead letters."`
	Redrive dlqRedriveCmd `cmd:"" help:"Publish dead letters again to their original subjects."`
}

type dlqListCmd struct {
	Limit int `default:"100" help:"At most this many."`
}

func (d *dlqListCmd) Run(g *Globals) error {
	return withApp(g, anyBus, func(ctx context.Context, a *app.App) error { return a.ListDeadLetters(ctx, Stdout, d.Limit) })
}

type dlqRedriveCmd struct {
	Stage string `help:"Only dead letters of this stage."`
}

func (d *dlqRedriveCmd) Run(g *Globals) error {
	return withApp(g, anyBus, func(ctx context.Context, a *app.App) error {
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
	return withApp(g, anyBus, func(ctx context.Context, a *app.App) error {
		_, err := a.ImportUsers(ctx, u.File, Stdout)
		return err
	})
}

// withApp loads the configuration, opens the app for a command (see
// open) and closes it when fn returns.
func withApp(g *Globals, r reach, fn func(context.Context, *app.App) error) error {
	cfg, log, err := g.load()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	a, err := open(ctx, cfg, log, r)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(ctx, a)
}
