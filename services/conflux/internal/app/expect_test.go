package app_test

import (
	"testing"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/sinktest"
)

// want is what the sink must hold for one item of the tenant.
type want = sinktest.Want

// expected derives, from the tenant alone, every document a full crawl
// must produce (sinktest.Expected).
func expected(tn *confluencesim.Tenant, includeArchived bool) map[string]want {
	return sinktest.Expected(tn, includeArchived)
}

// checkSink compares the file sink with the tenant field by field, and
// every document's ACL with the brute-force reference evaluator.
func checkSink(t testing.TB, h *harness, tn *confluencesim.Tenant) {
	t.Helper()
	checkSinkHolds(t, h, tn, expected(tn, h.cfg.Content.IncludeArchived))
}

// checkSinkHolds is checkSink against a given set of expected documents.
func checkSinkHolds(t testing.TB, h *harness, tn *confluencesim.Tenant, exp map[string]want) {
	t.Helper()
	sinktest.Check(t, h.cfg.Sink.Dir, h.cfg.Site, tn, exp)
}
