// Command permissions runs the permission resolver stage against the
// NATS cluster of nats.url until SIGINT or SIGTERM:
//
//	permissions --config conflux.yaml
package main

import (
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/services/permissions"
)

func main() { worker.Main(permissions.Stage) }
