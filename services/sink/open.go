package sink

import (
	"context"
	"fmt"
	"os"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/services/sink/pgsink"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Open opens the back-end that sink.type names: the file sink at
// sink.dir (the default) or PostgreSQL at sink.dsn (migrating its schema).
// The caller closes it.
func Open(ctx context.Context, c config.Sink) (sinkport.Backend, error) {
	switch c.Type {
	case "", config.SinkFiles:
		fs, err := filesink.Options{FileMode: os.FileMode(c.FileMode), DirMode: os.FileMode(c.DirMode)}.Open(c.Dir)
		if err != nil {
			return nil, err
		}
		return Files(fs), nil
	case config.SinkPostgres:
		if !c.DSN.IsSet() {
			return nil, fmt.Errorf("sink.dsn is required when sink.type is %s", config.SinkPostgres)
		}
		return pgsink.Open(ctx, c.DSN.Reveal())
	}
	return nil, fmt.Errorf("sink.type %q is not implemented (only %q and %q)", c.Type, config.SinkFiles, config.SinkPostgres)
}
