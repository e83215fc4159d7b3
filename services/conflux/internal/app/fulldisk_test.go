package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

// TestFullDiskThenCrawlAgainMatchesTenant: the attachment store fills up
// in the middle of a crawl (its MaxBytes is half of the tenant's
// attachment bytes, so puts fail part way through a file); the crawl ends
// with those attachments failed, nothing half-written left behind. Once
// there is room again, the next full crawl writes exactly the tenant.
func TestFullDiskThenCrawlAgainMatchesTenant(t *testing.T) {
	tn := confluencesim.Generate(11, changeSize)
	var total int64
	for _, a := range tn.Attachments {
		total += a.Size
	}
	if total < 64<<10 {
		t.Fatalf("the tenant's attachments hold %d bytes; too few to fill a store", total)
	}
	h := start(t, tn, confluencesim.Options{}, nil)
	setBlobLimit(t, h.app.JS, total/2)

	res := h.crawl(proto.CrawlFull, false)
	if res.OK || !strings.Contains(strings.Join(res.Failures, "\n"), "maximum bytes exceeded") {
		t.Fatalf("crawl on a full store: ok %v, failures:\n%s", res.OK, strings.Join(res.Failures, "\n"))
	}
	t.Logf("on a full store: %d failures, first: %s", len(res.Failures), res.Failures[0])

	setBlobLimit(t, h.app.JS, -1)
	requireOK(t, h.crawl(proto.CrawlFull, false))
	checkSink(t, h, h.sim.Tenant())
}

// setBlobLimit sets the attachment store's MaxBytes (-1: no limit).
func setBlobLimit(t *testing.T, js jetstream.JetStream, max int64) {
	t.Helper()
	for _, cfg := range proto.ObjectStores(proto.Options{}) {
		if cfg.Bucket != proto.ObjectBlobs {
			continue
		}
		cfg.MaxBytes = max
		if _, err := js.UpdateObjectStore(context.Background(), cfg); err != nil {
			t.Fatalf("limit object store %s to %d bytes: %v", cfg.Bucket, max, err)
		}
	}
}
