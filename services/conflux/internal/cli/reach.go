package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// reach is which NATS server a command needs when nats.url is empty.
type reach int

const (
	// serveBus: `conflux run` starts the embedded server on nats.data_dir
	// and publishes it on nats.listen (its URL in <data_dir>/nats.url).
	serveBus reach = iota
	// needsBus: the command talks to running workers: nats.url, or the
	// running `conflux run` found through <data_dir>/nats.url.
	needsBus
	// anyBus: the running `conflux run` when there is one, else the data
	// directory itself (opened without listening).
	anyBus
)

// errNoRun: a command that talks to running workers found none.
var errNoRun = errors.New("nats.url is empty and no `conflux run` is running on nats.data_dir (no nats.url file there): start `conflux run`, or set nats.url to the workers' NATS cluster")

// open connects the app as r says. A nats.url file whose server no longer
// answers (a `conflux run` that was killed) is removed and ignored.
func open(ctx context.Context, cfg config.Config, log *slog.Logger, r reach) (*app.App, error) {
	if cfg.NATS.URL != "" {
		return app.Open(ctx, cfg, log)
	}
	server, token, err := bus.ReadURLFile(cfg.NATS.DataDir)
	switch {
	case err == nil:
		running := cfg
		running.NATS.URL, running.NATS.Token = server, config.Secret(token)
		a, err := app.Open(ctx, running, log)
		switch {
		case err == nil && r == serveBus:
			a.Close()
			return nil, &configError{fmt.Errorf("a `conflux run` already serves nats.data_dir %s (at %s): stop it, or use `conflux crawl` and `conflux status` against it", cfg.NATS.DataDir, server)}
		case err == nil:
			return a, nil
		case !errors.Is(err, app.ErrNATSUnavailable):
			return nil, err
		}
		log.Warn("the nats.url file names a server that does not answer; removed", "server", server)
		_ = os.Remove(filepath.Join(cfg.NATS.DataDir, bus.URLFileName))
	case !errors.Is(err, bus.ErrNoURLFile):
		// An unreadable data directory: opening it says what is wrong.
		log.Debug("no running conflux run found", "error", err.Error())
	}
	switch r {
	case needsBus:
		return nil, &configError{errNoRun}
	case anyBus:
		cfg.NATS.Listen = ""
	}
	return app.Open(ctx, cfg, log)
}
