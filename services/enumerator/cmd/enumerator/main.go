// Command enumerator runs the space enumerator (and the crawl coordinator)
// against the NATS cluster of nats.url: enumerator --config conflux.yaml.
package main

import (
	"context"

	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/enumerator"
)

func main() {
	worker.Main(proto.StageEnumerator, func(ctx context.Context, env worker.Env) error {
		client, err := env.Client(ctx)
		if err != nil {
			return err
		}
		s, err := enumerator.New(ctx, enumerator.Deps{NC: env.NC, JS: env.JS, Config: env.Config, Client: client, Logger: env.Log, Metrics: env.Metrics})
		if err != nil {
			return err
		}
		return s.Run(ctx)
	})
}
