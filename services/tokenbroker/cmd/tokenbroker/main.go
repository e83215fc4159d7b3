// Command tokenbroker runs one replica of the conflux token broker against
// an external NATS cluster:
//
//	tokenbroker --config conflux.yaml [--health-addr :8081]
package main

import (
	"context"
	"flag"

	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

func main() {
	var healthAddr string
	worker.Main(proto.StageTokenBroker, func(ctx context.Context, env worker.Env) error {
		var opts []tokenbroker.Option
		if healthAddr != "" {
			opts = append(opts, tokenbroker.WithHealthAddr(healthAddr))
		}
		svc, err := tokenbroker.New(tokenbroker.Deps{NC: env.NC, JS: env.JS, Config: env.Config, Logger: env.Log, Metrics: env.Metrics}, opts...)
		if err != nil {
			return err
		}
		return svc.Run(ctx)
	}, func(fs *flag.FlagSet) {
		fs.StringVar(&healthAddr, "health-addr", "", "serve GET /healthz on this address (e.g. :8081)")
	})
}
