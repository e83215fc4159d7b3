package sink

import (
	"net/http"
	"testing"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/searchsink/searchfake"
)

// TestTwoSinksOneFailing runs a files sink and an OpenSearch sink whose
// server answers 500 to everything: the files sink writes every document
// while the OpenSearch sink's own consumer keeps them pending; once the
// server answers again, the OpenSearch sink catches up.
func TestTwoSinksOneFailing(t *testing.T) {
	e := newEnv(t)
	fake := searchfake.New(t, searchfake.OpenSearch)
	fake.Down(http.StatusInternalServerError)
	files, search := config.DefaultSink(), config.DefaultSink()
	files.Name, files.Dir = "files", e.dir
	search.Name, search.Type, search.URLs = "search", config.SinkOpenSearch, []string{fake.URL}
	e.deps.Sink = nil
	e.deps.Config.Sinks = []config.Sink{files, search}
	e.start()

	for _, id := range ids(1, 3) {
		e.ready(page("c1", "S1", id, 1))
	}
	e.waitWritten("c1", "S1", ids(1, 3)...)
	for _, id := range ids(1, 3) {
		if !e.hasDoc(id) {
			t.Fatalf("files sink lacks document %s", id)
		}
	}
	if n := fake.Count("conflux"); n != 0 {
		t.Fatalf("the failing server holds %d documents", n)
	}
	cons, err := e.js.Consumer(testContext(t), proto.StreamDocuments, Consumer(testSite, "search"))
	if err != nil {
		t.Fatalf("the search sink has no consumer of its own: %v", err)
	}
	info, err := cons.Info(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.NumPending+uint64(info.NumAckPending) != 3 {
		t.Fatalf("search consumer: %d pending, %d in flight; want the 3 documents held", info.NumPending, info.NumAckPending)
	}

	fake.Down(0)
	eventually(t, "the OpenSearch sink catching up", func() bool { return fake.Count("conflux") == 3 })
}

func TestConsumerNames(t *testing.T) {
	if got := Consumer(testSite, "default"); got != proto.Durable(proto.StageSink, "docs", testSite) {
		t.Errorf("default sink consumer %s: it must stay the topology's", got)
	}
	if got := Consumer(testSite, "search"); got != "sink_docs-search_"+proto.SiteToken(testSite) {
		t.Errorf("named sink consumer %s", got)
	}
}
