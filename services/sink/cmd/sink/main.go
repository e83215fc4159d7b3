// Command sink runs the sink stage (and its sweeper) against the NATS
// cluster of nats.url until SIGINT or SIGTERM, writing to sink.dir:
//
//	sink --config conflux.yaml
//	sink --config conflux.yaml --rebuild   # refill the sink from the documents stream, then exit
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
	"github.com/conflux-dev/conflux/services/sink"
)

func main() {
	path := flag.String("config", "conflux.yaml", "configuration file")
	rebuild := flag.Bool("rebuild", false, "write every document of the documents stream into the sink, then exit")
	flag.Parse()
	if err := run(*path, *rebuild); err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		os.Exit(1)
	}
}

func run(path string, rebuild bool) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	if cfg.NATS.URL == "" {
		return errors.New("nats.url is required to run one stage on its own")
	}
	log := logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	nc, err := bus.Connect(ctx, bus.ConnectOptions{URL: cfg.NATS.URL, User: cfg.NATS.User,
		Password: cfg.NATS.Password.Reveal(), Token: cfg.NATS.Token.Reveal(), NKeyFile: cfg.NATS.NKeyFile,
		CredsFile: cfg.NATS.CredsFile, TLSCA: cfg.NATS.TLS.CA, TLSCert: cfg.NATS.TLS.Cert, TLSKey: cfg.NATS.TLS.Key,
		Name: proto.StageSink})
	if err != nil {
		return err
	}
	defer func() { _ = nc.Drain() }()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if err := bus.EnsureTopology(ctx, js, cfg.Site, proto.Options{Replicas: cfg.NATS.Replicas}); err != nil {
		return err
	}
	deps := sink.Deps{NC: nc, JS: js, Config: cfg, Logger: log}
	if rebuild {
		n, err := sink.Rebuild(ctx, deps)
		fmt.Fprintf(os.Stderr, "sink: %d documents written to %s\n", n, cfg.Sink.Dir)
		return err
	}
	svc, err := sink.New(deps)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
