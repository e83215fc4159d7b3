// Command extractor runs the extractor stage (attachment bytes to text)
// against the NATS cluster of nats.url until SIGINT or SIGTERM:
//
//	extractor --config conflux.yaml
package main

import (
	"context"

	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/extractor"
)

func main() {
	worker.Main(proto.StageExtractor, func(ctx context.Context, env worker.Env) error {
		svc, err := extractor.New(extractor.Deps{NC: env.NC, JS: env.JS, Config: env.Config, Logger: env.Log, Metrics: env.Metrics})
		if err != nil {
			return err
		}
		return svc.Run(ctx)
	})
}
