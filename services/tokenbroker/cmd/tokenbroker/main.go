// Command tokenbroker runs one replica of the conflux token broker against
// an external NATS cluster:
//
//	tokenbroker --config conflux.yaml [--health-addr :8081]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/logging"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tokenbroker:", err)
		os.Exit(1)
	}
}

func run() error {
	path := flag.String("config", "conflux.yaml", "configuration file")
	healthAddr := flag.String("health-addr", "", "serve GET /healthz on this address (e.g. :8081)")
	flag.Parse()
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	if cfg.NATS.URL == "" {
		return errors.New("nats.url is required to run a worker on its own")
	}
	log := logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	nc, err := bus.Connect(ctx, bus.ConnectOptions{
		URL: cfg.NATS.URL, User: cfg.NATS.User, Password: cfg.NATS.Password.Reveal(), Token: cfg.NATS.Token.Reveal(),
		NKeyFile: cfg.NATS.NKeyFile, CredsFile: cfg.NATS.CredsFile,
		TLSCA: cfg.NATS.TLS.CA, TLSCert: cfg.NATS.TLS.Cert, TLSKey: cfg.NATS.TLS.Key,
		Name: proto.StageTokenBroker, Logger: log,
	})
	if err != nil {
		return err
	}
	defer nc.Drain()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	var opts []tokenbroker.Option
	if *healthAddr != "" {
		opts = append(opts, tokenbroker.WithHealthAddr(*healthAddr))
	}
	svc, err := tokenbroker.New(tokenbroker.Deps{NC: nc, JS: js, Config: cfg, Logger: log}, opts...)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
