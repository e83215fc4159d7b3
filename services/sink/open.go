package sink

import (
	"context"
	"fmt"
	"os"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/services/sink/essink"
	"github.com/conflux-dev/conflux/services/sink/ossink"
	"github.com/conflux-dev/conflux/services/sink/pgsink"
	"github.com/conflux-dev/conflux/services/sink/searchsink"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Open opens the back-end that sink.type names: the file sink at
// sink.dir (the default), PostgreSQL at sink.dsn (migrating its schema),
// or OpenSearch or Elasticsearch at sink.urls (setting up the index
// templates and indexes).
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
	case config.SinkOpenSearch:
		return ossink.Open(ctx, searchConn(c), searchsink.Options{Index: c.Index})
	case config.SinkElasticsearch:
		return essink.Open(ctx, searchConn(c), searchsink.Options{Index: c.Index})
	}
	return nil, fmt.Errorf("sink.type %q is not implemented", c.Type)
}

func searchConn(c config.Sink) searchsink.Conn {
	return searchsink.Conn{URLs: c.URLs, Username: c.Username, Password: c.Password.Reveal(),
		APIKey: c.APIKey.Reveal(), CAFile: c.CA}
}
