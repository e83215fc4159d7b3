package cli

import (
	"fmt"
	"strings"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/services/sink/pgsink"
)

// searchCmd is `conflux search --as <email> <query>`: the hits that user
// may read, from the configured PostgreSQL sink.
type searchCmd struct {
	As        string   `required:"" placeholder:"EMAIL" help:"Search as this user: only what this email may read (its account id and groups come from the groups table)."`
	AccountID []string `name:"account-id" placeholder:"ID" help:"Also count this account id as the user's (for an account whose email Confluence hides)."`
	Limit     int      `default:"20" help:"At most this many hits."`
	Query     []string `arg:"" help:"The query, as a web search reads it: words, \"a phrase\", OR, -word."`
}

func (s *searchCmd) Run(g *Globals) error {
	cfg, _, err := g.load()
	if err != nil {
		return err
	}
	sink, ok := postgresSink(cfg)
	if !ok {
		return &configError{fmt.Errorf("conflux search reads the PostgreSQL sink: set sink.type: postgres and sink.dsn, or add a postgres sink to sinks: (sink.type is %q)", cfg.Sink.Type)}
	}
	ctx, stop := signalContext()
	defer stop()
	pg, err := pgsink.Open(ctx, sink.DSN.Reveal())
	if err != nil {
		return err
	}
	defer pg.Close()
	query := strings.Join(s.Query, " ")
	hits, err := pg.Search(ctx, pgsink.Principal{Email: s.As, AccountIDs: s.AccountID}, query, s.Limit)
	if err != nil {
		return err
	}
	if len(hits) == 0 {
		fmt.Fprintf(Stdout, "no document that %s may read matches %q\n", s.As, query)
		return nil
	}
	for i, h := range hits {
		fmt.Fprintf(Stdout, "%d. %s  [%s]\n   %s\n", i+1, h.Title, h.SpaceKey, h.URL)
		if snip := strings.Join(strings.Fields(h.Snippet), " "); snip != "" {
			fmt.Fprintf(Stdout, "   %s\n", snip)
		}
	}
	return nil
}

// postgresSink is the first PostgreSQL sink of the configuration.
func postgresSink(cfg config.Config) (config.Sink, bool) {
	for _, s := range cfg.SinkList() {
		if s.Type == config.SinkPostgres {
			return s, true
		}
	}
	return config.Sink{}, false
}
