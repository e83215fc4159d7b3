// Command enumerator runs the space enumerator (and the crawl coordinator)
// against the NATS cluster of nats.url: enumerator --config conflux.yaml.
package main

import (
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/services/enumerator"
)

func main() { worker.Main(enumerator.Stage) }
