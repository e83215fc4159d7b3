package app

import (
	"context"

	"github.com/conflux-dev/conflux/services/sink"
)

// RebuildSink fills the configured sink from the documents stream alone,
// without calling Confluence, and returns once it has caught up.
func (a *App) RebuildSink(ctx context.Context) (int, error) {
	return sink.Rebuild(ctx, sink.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Logger: a.Log})
}
