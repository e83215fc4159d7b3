// Package searchfake is an in-memory stand-in for an OpenSearch or an
// Elasticsearch server, for tests: no server of either can run where
// conflux is built and tested. It answers the calls the search sinks make
// (composable index templates, index creation, _bulk, GET _doc, _search
// with match_all, term, terms and bool queries, sort and search_after)
// in each product's documented response shapes, item by item, including
// its error bodies: 409 version conflicts of external versioning, 404 on
// deleting a missing document, 429 rejected executions and 5xx, for the
// whole request or per item, which a test injects (Fail, FailItems,
// Down). Deletions leave a tombstone one version above the deleted
// document for GCDeletes (60 s, index.gc_deletes' default), as both
// products do.
package searchfake

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Product is the server being imitated.
type Product int

// The products.
const (
	OpenSearch Product = iota
	Elasticsearch
)

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	*httptest.Server
	product Product
	// GCDeletes is how long a deletion's tombstone refuses older
	// versions. Default 60s. Set it before use.
	GCDeletes time.Duration

	mu        sync.Mutex
	indexes   map[string]*index
	templates map[string][]byte
	faults    []fault
	itemFault []fault
	down      int
	requests  []string
	seq       int
}

type index struct {
	docs       map[string]*stored
	tombstones map[string]tombstone
}

type stored struct {
	version int
	seqNo   int
	source  []byte
}

type tombstone struct {
	version int
	at      time.Time
}

type fault struct {
	status int
}

// New starts a fake of product; it stops with the test.
func New(t testing.TB, p Product) *Server {
	s := &Server{product: p, GCDeletes: 60 * time.Second, indexes: map[string]*index{}, templates: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Fail makes the next n requests (of any kind) answer status as a whole,
// with the product's error body (429: rejected execution; 5xx: an
// internal error).
func (s *Server) Fail(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status})
	}
}

// FailItems makes the next n bulk items (across requests) answer status
// on their own while the rest of their request succeeds.
func (s *Server) FailItems(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.itemFault = append(s.itemFault, fault{status})
	}
}

// Down makes every request answer status (0: serve again).
func (s *Server) Down(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = status
}

// Requests returns "METHOD path?query" of every request so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Template returns the body of a stored index template.
func (s *Server) Template(name string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.templates[name]
}

// Count returns the number of documents in an index.
func (s *Server) Count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix := s.indexes[name]; ix != nil {
		return len(ix.docs)
	}
	return 0
}
