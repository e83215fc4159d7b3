// Package cli is the conflux command line: run, worker, crawl, status,
// replay, dlq and users. Each command is a small struct whose Run method
// loads the configuration and calls into package app.
package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/conflux-dev/conflux/pkg/audit"
	"github.com/conflux-dev/conflux/pkg/buildinfo"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/logging"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// Globals are the flags every command takes.
type Globals struct {
	Config   string `short:"c" default:"conflux.yaml" help:"Configuration file (YAML)." type:"path"`
	LogLevel string `name:"log-level" default:"" help:"debug, info, warn or error (overrides log.level)."`

	// jsonLog is the logger once the configuration is loaded, when its
	// records are JSON lines: the final error is one more record then.
	jsonLog *slog.Logger
}

type cli struct {
	Globals
	Version kong.VersionFlag `help:"Print the version and exit."`
	Run     runCmd           `cmd:"" help:"Run every stage in this process; with --once crawl once and exit."`
	Worker  workerCmd        `cmd:"" help:"Run one stage until SIGTERM (needs nats.url)."`
	Crawl   crawlCmd         `cmd:"" help:"Ask the running workers for a crawl (needs nats.url)."`
	Status  statusCmd        `cmd:"" help:"Show each stage's backlog and each active crawl's progress."`
	Replay  replayCmd        `cmd:"" help:"Fill the configured sink from the documents stream (--rebuild-sink), or re-drive one stage's input (--stage)."`
	DLQ     dlqCmd           `cmd:"" name:"dlq" help:"List or re-drive dead letters."`
	Users   usersCmd         `cmd:"" help:"Manage the imported users (account id to email)."`
	Search  searchCmd        `cmd:"" help:"Search the PostgreSQL sink as a user: only the hits that user may read."`
	Plan    planCmd          `cmd:"" help:"Dry run: count per space what a full crawl under the rules would index, and its API calls."`
	Audit   auditCmd         `cmd:"" help:"Check sampled ACLs against Confluence's permission check; exit 0 only when nothing mismatched."`
}

// exitError carries an exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs the command line and returns the process exit code:
//
//	0    complete, nothing failed
//	1    complete, some documents failed (dead-lettered); audit: a mismatch
//	2    bad usage or configuration
//	3    partial: a listing failed; its space's documents are kept, nothing deleted there
//	4    Confluence refused the credentials; audit: not a Confluence administrator
//	5    NATS unavailable
//	6    timed out (--timeout)
//	7    any other error
//	130  interrupted (SIGINT or SIGTERM)
func Main(args []string) int {
	var c cli
	parser, err := kong.New(&c, kong.Name("conflux"),
		kong.Description("Crawl a Confluence Cloud site into search indexes with exact read permissions."),
		kong.UsageOnError(), kong.Exit(func(code int) { panic(exitError{code}) }),
		kong.Vars{"version": buildinfo.Version(), "replayable": strings.Join(app.Replayable, ","),
			"stages": strings.Join(app.Stages, ","), "stagelist": strings.Join(app.Stages, ", ")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	code := 0
	func() {
		defer func() {
			if r := recover(); r != nil {
				e, ok := r.(exitError)
				if !ok {
					panic(r)
				}
				code = e.code
			}
		}()
		kctx, err := parser.Parse(args)
		if err != nil {
			fmt.Fprintln(os.Stderr, "conflux:", err)
			code = 2
			return
		}
		err = kctx.Run(&c.Globals)
		code = exitCode(err, c.Globals.jsonLog)
	}()
	return code
}

// Exit codes; see Main.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitPartial     = 3
	exitCredentials = 4
	exitNATS        = 5
	exitTimeout     = 6
	exitOther       = 7
	exitInterrupted = 130
)

// exitCode classifies err and, unless a summary said it already, reports
// it on stderr: as a log record when the logs are JSON lines (jsonLog not
// nil), so that stderr stays valid JSON, else as "conflux: <error>".
func exitCode(err error, jsonLog *slog.Logger) int {
	if err == nil {
		return exitOK
	}
	code := classify(err)
	switch {
	case summarized(err):
	case jsonLog != nil:
		jsonLog.Error("conflux failed", "error", err.Error(), "exit_code", code)
	default:
		fmt.Fprintln(os.Stderr, "conflux:", err)
	}
	return code
}

// summarized reports whether err is the outcome of a crawl whose summary
// was printed already.
func summarized(err error) bool {
	return errors.Is(err, app.ErrCrawlFailed) || errors.Is(err, app.ErrCrawlPartial) || errors.Is(err, app.ErrCredentialsRefused) ||
		errors.Is(err, audit.ErrMismatch) || errors.Is(err, audit.ErrNotAdmin)
}

// classify maps an error to its exit code, the most specific first.
func classify(err error) int {
	var cfgErr *configError
	switch {
	case errors.As(err, &cfgErr):
		return exitUsage
	case errors.Is(err, audit.ErrMismatch):
		return exitFailed
	case errors.Is(err, app.ErrCredentialsRefused), errors.Is(err, confluence.ErrUnauthorized), errors.Is(err, audit.ErrNotAdmin):
		return exitCredentials
	case errors.Is(err, app.ErrCrawlPartial):
		return exitPartial
	case errors.Is(err, app.ErrCrawlFailed):
		return exitFailed
	case errors.Is(err, app.ErrNATSUnavailable):
		return exitNATS
	case errors.Is(err, context.DeadlineExceeded):
		return exitTimeout
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	return exitOther
}

type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// load reads the configuration and builds the logger.
func (g *Globals) load() (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(g.Config)
	if err != nil {
		return cfg, nil, &configError{err}
	}
	level := cfg.Log.Level
	if g.LogLevel != "" {
		level = g.LogLevel
	}
	log := logging.New(os.Stderr, level, cfg.Log.Format)
	if logging.IsJSON(os.Stderr, cfg.Log.Format) {
		g.jsonLog = log
	}
	return cfg, log, nil
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
