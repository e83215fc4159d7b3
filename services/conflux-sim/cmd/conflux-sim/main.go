// Command conflux-sim serves a simulated Confluence Cloud site (see
// pkg/confluencesim) until SIGTERM or SIGINT:
//
//	conflux-sim --addr 127.0.0.1:8090 --tenant demo [--latency 50ms] [--rate 40] [--faults 0.1] [--seed N]
//
// It prints one line, "listening on http://HOST:PORT", once it accepts
// requests.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/conflux-dev/conflux/pkg/buildinfo"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "conflux-sim:", err)
		os.Exit(1)
	}
}

// flags is the command line (kong).
type flags struct {
	Addr              string           `default:"127.0.0.1:0" help:"Site address (API, OAuth, gateway)."`
	MediaAddr         string           `default:"127.0.0.1:0" help:"Media host address (attachment bytes)."`
	Tenant            string           `default:"demo" help:"Tenant: \"demo\", \"generate\" (from --seed and the --gen-* sizes) or a JSON file."`
	Save              string           `help:"Write the tenant as JSON to this file and go on serving."`
	Latency           time.Duration    `help:"Latency added to every request."`
	Rate              float64          `help:"Request budget per second (429 beyond); 0 = unlimited."`
	Faults            float64          `help:"Share of requests answered 5xx or dropped (0..1)."`
	Seed              int64            `default:"1" help:"Seed for faults and --tenant generate."`
	OAuthClientID     string           `name:"oauth-client-id" default:"conflux-sim-client" help:"OAuth client id accepted by /oauth/token."`
	OAuthClientSecret string           `name:"oauth-client-secret" default:"conflux-sim-secret" help:"OAuth client secret."`
	SpaceShortPages   bool             `help:"v1 /rest/api/space returns short pages that are not the end."`
	Verbose           bool             `short:"v" help:"Log every request to stderr."`
	GenSpaces         int              `help:"Generated tenant: spaces (default 3)."`
	GenPages          int              `help:"Generated tenant: pages and folders per space (default 20)."`
	GenUsers          int              `help:"Generated tenant: users (default 10)."`
	Version           kong.VersionFlag `help:"Print the version and exit."`
}

// errExit is kong's exit (--help, --version): run returns nil.
var errExit = errors.New("exit")

func parse(args []string, stdout, stderr io.Writer) (f flags, err error) {
	p, err := kong.New(&f, kong.Name("conflux-sim"), kong.Description("Serve a simulated Confluence Cloud site."),
		kong.Writers(stdout, stderr), kong.Vars{"version": buildinfo.Version()},
		kong.Exit(func(int) { panic(errExit) }))
	if err != nil {
		return f, err
	}
	defer func() {
		if r := recover(); r != nil {
			if r != errExit {
				panic(r)
			}
			err = errExit
		}
	}()
	if _, err := p.Parse(args); err != nil {
		return f, err
	}
	if f.Faults < 0 || f.Faults > 1 {
		return f, fmt.Errorf("--faults %v: must be between 0 and 1", f.Faults)
	}
	return f, nil
}

func loadTenant(f flags) (*confluencesim.Tenant, error) {
	switch f.Tenant {
	case "demo":
		return confluencesim.Demo(), nil
	case "generate":
		return confluencesim.Generate(f.Seed, confluencesim.Size{Spaces: f.GenSpaces, PagesPerSpace: f.GenPages, Users: f.GenUsers}), nil
	default:
		return confluencesim.LoadTenant(f.Tenant)
	}
}

// run serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parse(args, stdout, stderr)
	if errors.Is(err, errExit) {
		return nil
	}
	if err != nil {
		return err
	}
	t, err := loadTenant(f)
	if err != nil {
		return err
	}
	if f.Save != "" {
		if err := t.Save(f.Save); err != nil {
			return err
		}
	}
	level := slog.LevelInfo
	if f.Verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := confluencesim.Start(t, confluencesim.Options{
		Addr: f.Addr, MediaAddr: f.MediaAddr, Latency: f.Latency, Rate: f.Rate, Faults: f.Faults, Seed: f.Seed,
		SpaceShortPages: f.SpaceShortPages, Logger: log,
		OAuth: oauthsim.Config{ClientID: f.OAuthClientID, ClientSecret: f.OAuthClientSecret},
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "listening on", srv.URL())
	log.Info("simulator ready", "site", srv.URL(), "media", srv.MediaURL(), "gateway", srv.GatewayURL(),
		"cloud_id", srv.CloudID(), "users", len(t.Users), "spaces", len(t.Spaces), "content", len(t.Content))
	<-ctx.Done()
	log.Info("shutting down")
	return srv.Close()
}
