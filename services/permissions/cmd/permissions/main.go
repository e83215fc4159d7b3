// Command permissions runs the permission resolver stage against the
// NATS cluster of nats.url until SIGINT or SIGTERM:
//
//	permissions --config conflux.yaml
package main

import (
	"context"

	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/permissions"
)

func main() {
	worker.Main(proto.StagePermissions, func(ctx context.Context, env worker.Env) error {
		client, err := env.Client(ctx)
		if err != nil {
			return err
		}
		svc, err := permissions.New(permissions.Deps{NC: env.NC, JS: env.JS, Config: env.Config, Client: client, Logger: env.Log, Metrics: env.Metrics})
		if err != nil {
			return err
		}
		return svc.Run(ctx)
	})
}
