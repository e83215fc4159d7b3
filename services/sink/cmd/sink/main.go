// Command sink runs the sink stage (and its sweeper) against the NATS
// cluster of nats.url until SIGINT or SIGTERM, writing to sink.dir:
//
//	sink --config conflux.yaml
//	sink --config conflux.yaml --rebuild   # refill the sink from the documents stream, then exit
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink"
)

func main() {
	var rebuild bool
	worker.Main(proto.StageSink, func(ctx context.Context, env worker.Env) error {
		deps := sink.Deps{NC: env.NC, JS: env.JS, Config: env.Config, Logger: env.Log, Metrics: env.Metrics}
		if rebuild {
			n, err := sink.Rebuild(ctx, deps)
			fmt.Fprintf(os.Stderr, "sink: %d documents written to %s\n", n, env.Config.Sink.Dir)
			return err
		}
		svc, err := sink.New(deps)
		if err != nil {
			return err
		}
		return svc.Run(ctx)
	}, func(fs *flag.FlagSet) {
		fs.BoolVar(&rebuild, "rebuild", false, "write every document of the documents stream into the sink, then exit")
	})
}
