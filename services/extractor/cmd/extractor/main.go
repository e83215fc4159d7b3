// Command extractor runs the extractor stage (attachment bytes to text)
// against the NATS cluster of nats.url until SIGINT or SIGTERM:
//
//	extractor --config conflux.yaml
package main

import (
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/services/extractor"
)

func main() { worker.Main(extractor.Stage) }
