package sink

import (
	"context"
	"fmt"
	"os"

	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// Stage is the sink as conflux runs it: every configured sink, and the
// sweeper. Its own binary also takes --rebuild (see Rebuild).
var Stage = worker.Stage{Name: proto.StageSink, New: newStage, Binary: binary}

func newStage(_ context.Context, d worker.Deps) (worker.Service, error) {
	return New(Deps{Deps: d})
}

// binary gives `sink` its --rebuild flag.
func binary() (any, worker.Constructor) {
	var f struct {
		Rebuild bool `help:"Write every document of the documents stream into the sink, then exit."`
	}
	return &f, func(ctx context.Context, d worker.Deps) (worker.Service, error) {
		if f.Rebuild {
			return rebuilder{Deps{Deps: d}}, nil
		}
		return newStage(ctx, d)
	}
}

// rebuilder is `sink --rebuild`: Run refills every sink and returns.
type rebuilder struct{ d Deps }

// Run rebuilds every configured sink from the documents stream.
func (r rebuilder) Run(ctx context.Context) error {
	n, err := Rebuild(ctx, r.d)
	fmt.Fprintf(os.Stderr, "sink: %d documents written to %s\n", n, r.d.Config.Sink.Dir)
	return err
}
