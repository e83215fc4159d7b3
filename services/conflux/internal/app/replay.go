package app

import (
	"context"
	"fmt"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"

	"github.com/conflux-dev/conflux/services/sink"
)

// RebuildSink fills the named sinks (every configured sink when none is
// named) from the documents stream alone, without calling Confluence, and
// returns once it has caught up.
func (a *App) RebuildSink(ctx context.Context, names ...string) (int, error) {
	return sink.Rebuild(ctx, sink.Deps{Deps: worker.Deps{NC: a.NC, JS: a.JS, Config: a.Config, Logger: a.Log}}, names...)
}

// Replayable lists the stages whose input `conflux replay --stage` can
// re-drive: every stage of proto.Stages that has a consumer.
var Replayable = replayable()

func replayable() []string {
	var out []string
	for _, s := range proto.Stages {
		if len(s.Inputs) > 0 {
			out = append(out, s.Name)
		}
	}
	return out
}

// Rewound is one consumer that a stage replay reset.
type Rewound struct {
	Stream, Durable string
	From            uint64 // the stream sequence delivery restarts from
}

// ReplayStage re-drives one stage: every durable consumer of the stage
// delivers its stream again from at on (acked messages included), to
// whichever replicas run it. The stages' handlers are idempotent.
func (a *App) ReplayStage(ctx context.Context, stage string, at bus.StartAt) ([]Rewound, error) {
	var done []Rewound
	rewind := func(stream, durable string) error {
		from, err := bus.Rewind(ctx, a.JS, stream, durable, at)
		if err == nil {
			done = append(done, Rewound{Stream: stream, Durable: durable, From: from})
		}
		return err
	}
	if stage == proto.StageSink { // one consumer per configured sink
		for _, s := range a.Config.SinkList() {
			if err := rewind(proto.StreamDocuments, sink.Consumer(a.Config.Site, s.Name)); err != nil {
				return done, err
			}
		}
		return done, nil
	}
	for _, c := range proto.Consumers(a.Config.Site, proto.Options{}) {
		if c.Stage != stage {
			continue
		}
		if err := rewind(c.Stream, c.Config.Durable); err != nil {
			return done, err
		}
	}
	if len(done) == 0 {
		return nil, fmt.Errorf("replay: stage %q has no input stream", stage)
	}
	return done, nil
}
