// Command attachments runs the attachment downloader stage against the
// NATS cluster of nats.url until SIGINT or SIGTERM:
//
//	attachments --config conflux.yaml
package main

import (
	"context"

	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/attachments"
)

func main() {
	worker.Main(proto.StageAttachments, func(ctx context.Context, env worker.Env) error {
		client, err := env.Client(ctx)
		if err != nil {
			return err
		}
		svc, err := attachments.New(attachments.Deps{NC: env.NC, JS: env.JS, Config: env.Config, Client: client, Logger: env.Log, Metrics: env.Metrics})
		if err != nil {
			return err
		}
		return svc.Run(ctx)
	})
}
