// Command attachments runs the attachment downloader stage against the
// NATS cluster of nats.url until SIGINT or SIGTERM:
//
//	attachments --config conflux.yaml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/logging"
	"github.com/conflux-dev/conflux/pkg/tokens"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/attachments"
)

func main() {
	path := flag.String("config", "conflux.yaml", "configuration file")
	flag.Parse()
	if err := run(*path); err != nil {
		fmt.Fprintln(os.Stderr, "attachments:", err)
		os.Exit(1)
	}
}

func run(path string) error {
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
		Name: proto.StageAttachments})
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
	client, err := newClient(ctx, nc, cfg.Site)
	if err != nil {
		return err
	}
	svc, err := attachments.New(attachments.Deps{NC: nc, JS: js, Config: cfg, Client: client, Logger: log})
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}

// newClient builds the Confluence client on the token broker's
// credentials, with the cluster-wide back-off: a 429 seen here is announced
// on the bus, and one announced by any replica pauses this client too.
func newClient(ctx context.Context, nc *nats.Conn, site string) (*confluence.Client, error) {
	subject := proto.For(site).RateLimit()
	client, err := confluence.New(confluence.Options{
		Credentials: tokens.NewBrokerCredentials(nc, site),
		OnRateLimit: func(d time.Duration) {
			_ = nc.Publish(subject, []byte(strconv.FormatInt(d.Milliseconds(), 10)))
		},
	})
	if err != nil {
		return nil, err
	}
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		if ms, err := strconv.ParseInt(string(m.Data), 10, 64); err == nil && ms > 0 && ms <= 10*60*1000 {
			client.PauseUntil(time.Now().Add(time.Duration(ms) * time.Millisecond))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe to rate-limit signals: %w", err)
	}
	context.AfterFunc(ctx, func() { _ = sub.Unsubscribe() })
	return client, nil
}
