package worker

import (
	"context"
	"fmt"

	"github.com/conflux-dev/conflux/proto"
)

// Service is what every stage is: Run works until ctx is done, then
// drains (finishes or hands back what is in flight) and returns. Building
// a Service starts nothing.
type Service interface {
	Run(ctx context.Context) error
}

// Constructor builds a stage's Service from the process's dependencies.
// It binds what the stage needs (buckets, streams, consumers) and starts
// no goroutine.
type Constructor func(ctx context.Context, d Deps) (Service, error)

// Stage is one stage as a process runs it: its name in proto.Stages (the
// wire facts: inputs, outputs, whether it calls Confluence) and how to
// build it. Each stage package exports one (fetcher.Stage …).
type Stage struct {
	// Name is the stage's name in proto.Stages.
	Name string
	// New builds the stage.
	New Constructor
	// Binary, when set, gives the stage's own binary extra flags: it
	// returns a pointer to a struct of kong-tagged fields and the
	// constructor to use once they are parsed (`sink --rebuild`).
	Binary func() (flags any, build Constructor)
}

// Spec returns the stage's entry of proto.Stages.
func (s Stage) Spec() proto.StageSpec {
	spec, ok := proto.Stage(s.Name)
	if !ok {
		panic(fmt.Sprintf("worker: stage %q is not in proto.Stages", s.Name))
	}
	return spec
}

// Of adapts a stage package's typed constructor to a Constructor.
func Of[S Service](fn func(context.Context, Deps) (S, error)) Constructor {
	return func(ctx context.Context, d Deps) (Service, error) {
		s, err := fn(ctx, d)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// Concurrency is how many messages a stage's replica handles at once per
// consumer: crawl.fetcher_concurrency for the fetcher when set, else the
// stage table's figure, or crawl.concurrency when it has none.
func (d Deps) Concurrency(stage string) int {
	if stage == proto.StageFetcher && d.Config.Crawl.FetcherConcurrency > 0 {
		return d.Config.Crawl.FetcherConcurrency
	}
	if spec, ok := proto.Stage(stage); ok && spec.Concurrency > 0 {
		return spec.Concurrency
	}
	return d.Config.Crawl.Concurrency
}
