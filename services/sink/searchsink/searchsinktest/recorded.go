package searchsinktest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/conflux-dev/conflux/services/sink/searchsink/searchfake"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
	"github.com/conflux-dev/conflux/services/sink/sinkport/sinkporttest"
)

// answer is one recorded bulk answer: a status and a file of testdata.
type answer struct {
	status int
	file   string
}

// replay answers the bulk requests with recorded answers in turn and
// acknowledges template and index creation; it keeps the ids of every
// bulk request.
type replay struct {
	mu      sync.Mutex
	product searchfake.Product
	answers []answer
	bulks   [][]string
}

func newReplay(t *testing.T, p searchfake.Product, answers ...answer) (*replay, string) {
	r := &replay{product: p, answers: answers}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if r.product == searchfake.Elasticsearch {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
	}
	w.Header().Set("Content-Type", "application/json")
	if !strings.HasSuffix(req.URL.Path, "/_bulk") {
		_, _ = w.Write([]byte(`{"acknowledged":true}`))
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bulks = append(r.bulks, bulkIDs(body))
	if len(r.answers) == 0 {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":"no more recorded answers"}`))
		return
	}
	a := r.answers[0]
	r.answers = r.answers[1:]
	data, err := os.ReadFile(testdata(a.file))
	if err != nil {
		panic(err)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(data)
}

func testdata(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", name)
}

// bulkIDs returns the _id of every action of a bulk body.
func bulkIDs(body []byte) []string {
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var head map[string]map[string]any
		if json.Unmarshal(sc.Bytes(), &head) != nil {
			continue
		}
		for kind, meta := range head {
			if kind == "index" || kind == "delete" {
				ids = append(ids, fmt.Sprint(meta["_id"]))
			}
		}
	}
	return ids
}

func (r *replay) requests() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.bulks)
}

func name(p searchfake.Product) string {
	if p == searchfake.Elasticsearch {
		return "elasticsearch"
	}
	return "opensearch"
}

func fourDocs() []sinkport.Item {
	var items []sinkport.Item
	for i, v := range []int{3, 1, 1, 1} {
		items = append(items, sinkport.Item{Doc: sinkporttest.Doc(fmt.Sprintf("100%d", i+1), v)})
	}
	return items
}

// testRecordedPartial: of four documents, one is created, one refused as
// older (409: done), one rejected (429) and one unavailable (503): the
// sink sends exactly the last two again and succeeds.
func testRecordedPartial(t *testing.T, p searchfake.Product, open Open) {
	r, url := newReplay(t, p, answer{200, name(p) + "-bulk-partial.json"}, answer{200, "bulk-retried-ok.json"})
	s, err := open(t, url, Options())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Upsert(t.Context(), fourDocs()); err != nil {
		t.Fatalf("upsert: %v", err)
	}
	got := r.requests()
	want := [][]string{{"1001", "1002", "1003", "1004"}, {"1003", "1004"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("bulk requests %v, want %v", got, want)
	}
}

// testRecorded429: a whole request rejected with 429 twice is sent again
// whole, then succeeds.
func testRecorded429(t *testing.T, p searchfake.Product, open Open) {
	f := name(p) + "-429.json"
	r, url := newReplay(t, p, answer{429, f}, answer{429, f}, answer{200, "bulk-all-ok.json"})
	s, err := open(t, url, Options())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Upsert(t.Context(), fourDocs()); err != nil {
		t.Fatalf("upsert: %v", err)
	}
	if got := r.requests(); len(got) != 3 || len(got[2]) != 4 {
		t.Fatalf("bulk requests %v, want the four documents three times", got)
	}
}
