package ossink_test

import (
	"testing"

	"github.com/conflux-dev/conflux/services/sink/ossink"
	"github.com/conflux-dev/conflux/services/sink/searchsink"
	"github.com/conflux-dev/conflux/services/sink/searchsink/searchfake"
	"github.com/conflux-dev/conflux/services/sink/searchsink/searchsinktest"
)

// TestOpenSearch runs the conformance suite and the recorded-response
// tests through opensearch-go against a stand-in server (no OpenSearch
// can run here; see package searchfake).
func TestOpenSearch(t *testing.T) {
	searchsinktest.Run(t, searchfake.OpenSearch, func(t *testing.T, url string, opt searchsink.Options) (*searchsink.Sink, error) {
		return ossink.Open(t.Context(), searchsink.Conn{URLs: []string{url}, Username: "conflux", Password: "s3cret"}, opt)
	})
}
