// Command conflux crawls a Confluence Cloud site into search indexes with
// exact per-document read permissions. See README.md.
package main

import (
	"os"

	"github.com/conflux-dev/conflux/services/conflux/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
