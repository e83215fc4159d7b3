package permissions

import (
	"context"
	"fmt"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// lastDocument returns the latest DocumentReady on a document subject, or
// nil when there is none or the latest is a tombstone.
func lastDocument(ctx context.Context, js bus.ObjectStores, docs bus.LastMsgGetter, subject string) (*proto.DocumentReady, error) {
	m, err := bus.LastOnSubject(ctx, js, docs, proto.StreamDocuments, subject)
	if err != nil {
		return nil, fmt.Errorf("read last document %s: %w", subject, err)
	}
	doc, _ := m.(*proto.DocumentReady)
	return doc, nil
}
