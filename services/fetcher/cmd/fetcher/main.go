// Command fetcher runs the content fetcher
// against the NATS cluster of nats.url: fetcher --config conflux.yaml.
package main

import (
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/services/fetcher"
)

func main() { worker.Main(fetcher.Stage) }
