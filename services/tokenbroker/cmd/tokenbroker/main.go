// Command tokenbroker runs one replica of the conflux token broker against
// an external NATS cluster:
//
//	tokenbroker --config conflux.yaml [--health-addr :8081]
package main

import (
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

func main() { worker.Main(tokenbroker.Stage) }
