// Command sink runs the sink stage (and its sweeper) against the NATS
// cluster of nats.url until SIGINT or SIGTERM, writing to sink.dir:
//
//	sink --config conflux.yaml
//	sink --config conflux.yaml --rebuild   # refill the sink from the documents stream, then exit
package main

import (
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/services/sink"
)

func main() { worker.Main(sink.Stage) }
