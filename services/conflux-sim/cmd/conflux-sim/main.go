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
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

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

type flags struct {
	addr, mediaAddr, tenant, save string
	latency                       time.Duration
	rate, faults                  float64
	seed                          int64
	clientID, clientSecret        string
	spaceShortPages, verbose      bool
	size                          confluencesim.Size
}

func parse(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("conflux-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "site address (API, OAuth, gateway)")
	fs.StringVar(&f.mediaAddr, "media-addr", "127.0.0.1:0", "media host address (attachment bytes)")
	fs.StringVar(&f.tenant, "tenant", "demo", `tenant: "demo", "generate" (from --seed and the --gen-* sizes) or a JSON file`)
	fs.StringVar(&f.save, "save", "", "write the tenant as JSON to this file and go on serving")
	fs.DurationVar(&f.latency, "latency", 0, "latency added to every request")
	fs.Float64Var(&f.rate, "rate", 0, "request budget per second (429 beyond); 0 = unlimited")
	fs.Float64Var(&f.faults, "faults", 0, "share of requests answered 5xx or dropped (0..1)")
	fs.Int64Var(&f.seed, "seed", 1, "seed for faults and --tenant generate")
	fs.StringVar(&f.clientID, "oauth-client-id", "conflux-sim-client", "OAuth client id accepted by /oauth/token")
	fs.StringVar(&f.clientSecret, "oauth-client-secret", "conflux-sim-secret", "OAuth client secret")
	fs.BoolVar(&f.spaceShortPages, "space-short-pages", false, "v1 /rest/api/space returns short pages that are not the end")
	fs.BoolVar(&f.verbose, "v", false, "log every request to stderr")
	fs.IntVar(&f.size.Spaces, "gen-spaces", 0, "generated tenant: spaces (default 3)")
	fs.IntVar(&f.size.PagesPerSpace, "gen-pages", 0, "generated tenant: pages and folders per space (default 20)")
	fs.IntVar(&f.size.Users, "gen-users", 0, "generated tenant: users (default 10)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if f.faults < 0 || f.faults > 1 {
		return f, fmt.Errorf("--faults %v: must be between 0 and 1", f.faults)
	}
	return f, nil
}

func loadTenant(f flags) (*confluencesim.Tenant, error) {
	switch f.tenant {
	case "demo":
		return confluencesim.Demo(), nil
	case "generate":
		return confluencesim.Generate(f.seed, f.size), nil
	default:
		return confluencesim.LoadTenant(f.tenant)
	}
}

// run serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	t, err := loadTenant(f)
	if err != nil {
		return err
	}
	if f.save != "" {
		if err := t.Save(f.save); err != nil {
			return err
		}
	}
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := confluencesim.Start(t, confluencesim.Options{
		Addr: f.addr, MediaAddr: f.mediaAddr, Latency: f.latency, Rate: f.rate, Faults: f.faults, Seed: f.seed,
		SpaceShortPages: f.spaceShortPages, Logger: log,
		OAuth: oauthsim.Config{ClientID: f.clientID, ClientSecret: f.clientSecret},
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
