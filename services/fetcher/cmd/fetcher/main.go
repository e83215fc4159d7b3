// Command fetcher runs the content fetcher
// against the NATS cluster of nats.url: fetcher --config conflux.yaml.
package main

import (
	"context"

	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/fetcher"
)

func main() {
	worker.Main(proto.StageFetcher, func(ctx context.Context, env worker.Env) error {
		client, err := env.Client(ctx)
		if err != nil {
			return err
		}
		s, err := fetcher.New(ctx, fetcher.Deps{NC: env.NC, JS: env.JS, Config: env.Config, Client: client, Logger: env.Log, Metrics: env.Metrics})
		if err != nil {
			return err
		}
		return s.Run(ctx)
	})
}
