package essink_test

import (
	"testing"

	"github.com/conflux-dev/conflux/services/sink/essink"
	"github.com/conflux-dev/conflux/services/sink/searchsink"
	"github.com/conflux-dev/conflux/services/sink/searchsink/searchfake"
	"github.com/conflux-dev/conflux/services/sink/searchsink/searchsinktest"
)

// TestElasticsearch runs the conformance suite and the recorded-response
// tests through go-elasticsearch against a stand-in server (no Elasticsearch
// can run here; see package searchfake).
func TestElasticsearch(t *testing.T) {
	searchsinktest.Run(t, searchfake.Elasticsearch, func(t *testing.T, url string, opt searchsink.Options) (*searchsink.Sink, error) {
		return essink.Open(t.Context(), searchsink.Conn{URLs: []string{url}, Username: "conflux", Password: "s3cret"}, opt)
	})
}
