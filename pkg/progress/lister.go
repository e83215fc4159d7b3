package progress

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// Lister is what a stage that lists a crawl works with (the enumerator,
// the fetcher): the site's subjects, a publisher, the progress tracker and
// the site's checkpoints.
type Lister struct {
	Sub         proto.Subjects
	Pub         *bus.Publisher
	Tracker     *Tracker
	Checkpoints *Checkpoints
}

// OpenLister binds the progress bucket and the site's checkpoints.
func OpenLister(ctx context.Context, js jetstream.JetStream, site string) (Lister, error) {
	tr, err := Open(ctx, js)
	if err != nil {
		return Lister{}, err
	}
	cp, err := OpenCheckpoints(ctx, js, site)
	if err != nil {
		return Lister{}, err
	}
	return Lister{Sub: proto.For(site), Pub: bus.NewPublisher(js), Tracker: tr, Checkpoints: cp}, nil
}
