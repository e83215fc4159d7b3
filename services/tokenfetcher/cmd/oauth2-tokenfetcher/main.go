// Command oauth2-tokenfetcher authorizes conflux as an OAuth 2.0 (3LO) app
// of Confluence Cloud once and prints the refresh token for conflux.yaml.
//
//	oauth2-tokenfetcher --api confluencecloud -i <CLIENT_ID> [-s <SECRET> | -s - | --secret-file F] [--port 13131] [--no-browser]
//
// Without -s or --secret-file the secret comes from $CONFLUX_CLIENT_SECRET.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/conflux-dev/conflux/services/tokenfetcher"
)

func main() {
	o, err := tokenfetcher.ParseArgs(os.Args[1:], os.Getenv, os.Stdin, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oauth2-tokenfetcher:", err)
		os.Exit(2)
	}
	o.Stdout, o.Stderr = os.Stdout, os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := tokenfetcher.Run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "oauth2-tokenfetcher:", err)
		stop()
		os.Exit(1)
	}
}
