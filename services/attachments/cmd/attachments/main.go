// Command attachments runs the attachment downloader stage against the
// NATS cluster of nats.url until SIGINT or SIGTERM:
//
//	attachments --config conflux.yaml
package main

import (
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/services/attachments"
)

func main() { worker.Main(attachments.Stage) }
