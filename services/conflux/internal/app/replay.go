package app

import (
	"context"

	"github.com/conflux-dev/conflux/services/sink"
)

// RebuildSink fills the named sinks (every configured sink when none is
// named) from the documents stream alone, without calling Confluence, and
// returns once it has caught up.
func (a *App) RebuildSink(ctx context.Context, names ...string) (int, error) {
	return sink.Rebuild(ctx, sink.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Logger: a.Log}, names...)
}
