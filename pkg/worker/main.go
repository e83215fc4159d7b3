package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/buildinfo"
	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/logging"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/proto"
)

// Exit codes of a stage binary.
const (
	exitOK     = 0 // stopped cleanly (SIGINT, SIGTERM), or --help, --version
	exitFailed = 1 // the stage failed
	exitUsage  = 2 // bad flags or configuration
)

// cmdline is the command line every stage binary shares; a stage's own
// flags (Stage.Binary) are embedded beside it.
type cmdline struct {
	Config  string           `default:"conflux.yaml" help:"Configuration file (YAML)."`
	Version kong.VersionFlag `help:"Print the version and exit."`
}

// Main runs one stage as its own process, `<stage> --config conflux.yaml`,
// until SIGINT or SIGTERM. It exits 0 after a clean stop, 2 on bad flags
// or a bad configuration, 1 otherwise.
func Main(st Stage) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, st, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exit carries kong's exit code (--help, --version) out of its parser.
type exit struct{ code int }

// run is Main without the process: it returns the exit code.
func run(ctx context.Context, st Stage, args []string, stdout, stderr io.Writer) (code int) {
	cfg, build, err := parse(st, args, stdout, stderr)
	var e exit
	switch {
	case errors.As(err, &e):
		return e.code
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", st.Name, err)
		return exitUsage
	}
	log := logging.New(stderr, cfg.Log.Level, cfg.Log.Format).With("stage", st.Name)
	if err := serve(ctx, st.Name, cfg, log, build); err != nil {
		log.Error("stage failed", "err", err)
		return exitFailed
	}
	return exitOK
}

// parse reads the command line and the configuration it names.
func parse(st Stage, args []string, stdout, stderr io.Writer) (cfg config.Config, build Constructor, err error) {
	var c cmdline
	build = st.New
	opts := []kong.Option{kong.Name(st.Name), kong.Description("Run the " + st.Name + " stage against the NATS cluster of nats.url."),
		kong.Writers(stdout, stderr), kong.Vars{"version": buildinfo.Version()},
		kong.Exit(func(code int) { panic(exit{code}) })}
	if st.Binary != nil {
		var flags any
		flags, build = st.Binary()
		opts = append(opts, kong.Embed(flags))
	}
	parser, err := kong.New(&c, opts...)
	if err != nil {
		return cfg, nil, err
	}
	if err := parseArgs(parser, args); err != nil {
		return cfg, nil, err
	}
	if cfg, err = config.Load(c.Config); err != nil {
		return cfg, nil, err
	}
	if cfg.NATS.URL == "" {
		return cfg, nil, errors.New("nats.url is empty: a stage on its own needs a NATS server (conflux run embeds one)")
	}
	return cfg, build, nil
}

// parseArgs runs kong's parser, turning its exits into an exit error.
func parseArgs(p *kong.Kong, args []string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exit)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	_, err = p.Parse(args)
	return err
}

func (e exit) Error() string { return fmt.Sprintf("exit %d", e.code) }

// serve connects, ensures the topology, serves the metrics and runs the
// stage built by build until ctx is done.
func serve(ctx context.Context, name string, cfg config.Config, log *slog.Logger, build Constructor) error {
	nc, err := bus.Connect(ctx, ConnectOptions(cfg.NATS, name))
	if err != nil {
		return err
	}
	defer func() { _ = nc.Drain() }()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if err := bus.EnsureTopology(ctx, js, cfg.Site, proto.Options{Replicas: cfg.NATS.Replicas, AckWait: cfg.NATS.AckWait.Std()}); err != nil {
		return err
	}
	d := Deps{NC: nc, JS: js, Config: cfg, Logger: log, Metrics: metrics.New()}
	ServeMicro(ctx, nc, js, cfg, []string{name}, log)
	if err := serveMetrics(ctx, name, d); err != nil {
		return err
	}
	if spec, _ := proto.Stage(name); spec.CallsConfluence {
		if d.Client, err = NewClient(ctx, d); err != nil {
			return err
		}
	}
	svc, err := build(ctx, d)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
