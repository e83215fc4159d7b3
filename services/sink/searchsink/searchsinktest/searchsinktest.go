// Package searchsinktest runs the tests every search sink (OpenSearch,
// Elasticsearch) passes through its own client library: the sinkport
// conformance suite against the in-memory server of package searchfake,
// recorded bulk and error responses of the product replayed as they are
// (partial failures with per-item errors, 429 for a whole request and per
// item, 409 version conflicts, 5xx), bounded retries, and the identities
// index with its document-level-security query.
package searchsinktest

import (
	"testing"
	"time"

	"github.com/conflux-dev/conflux/services/sink/searchsink"
	"github.com/conflux-dev/conflux/services/sink/searchsink/searchfake"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
	"github.com/conflux-dev/conflux/services/sink/sinkport/sinkporttest"
)

// Open opens the product's sink on the server at url.
type Open func(t *testing.T, url string, opt searchsink.Options) (*searchsink.Sink, error)

// Options are the test options: short pauses between attempts.
func Options() searchsink.Options {
	return searchsink.Options{Index: "conflux", Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Attempts: 4}
}

// Run runs every test of the package for one product.
func Run(t *testing.T, p searchfake.Product, open Open) {
	t.Run("Conformance", func(t *testing.T) {
		sinkporttest.Run(t, func(t *testing.T) sinkport.Backend {
			srv := searchfake.New(t, p)
			opt := Options()
			opt.BatchDocs = 64 // the half-way batch takes several requests
			s, err := open(t, srv.URL, opt)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			return s
		})
	})
	t.Run("RecordedPartialFailure", func(t *testing.T) { testRecordedPartial(t, p, open) })
	t.Run("RecordedWholeRequest429", func(t *testing.T) { testRecorded429(t, p, open) })
	t.Run("ItemRetries", func(t *testing.T) { testItemRetries(t, p, open) })
	t.Run("ServerDownGivesUp", func(t *testing.T) { testDown(t, p, open) })
	t.Run("PermanentItemError", func(t *testing.T) { testPermanent(t, p, open) })
	t.Run("Template", func(t *testing.T) { testTemplate(t, p, open) })
	t.Run("Identities", func(t *testing.T) { testIdentities(t, p, open) })
}
