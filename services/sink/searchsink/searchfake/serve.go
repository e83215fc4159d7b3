package searchfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if s.product == Elasticsearch {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	if st := s.nextFault(); st != 0 {
		s.writeError(w, st, s.errorFor(st))
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/":
		s.info(w)
	case len(parts) == 2 && parts[0] == "_index_template" && r.Method == http.MethodPut:
		s.templates[parts[1]] = body
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
	case len(parts) == 1 && r.Method == http.MethodPut:
		s.createIndex(w, parts[0])
	case len(parts) == 2 && parts[1] == "_bulk":
		s.bulk(w, parts[0], body)
	case len(parts) == 3 && parts[1] == "_doc" && r.Method == http.MethodGet:
		s.get(w, parts[0], parts[2])
	case len(parts) == 2 && parts[1] == "_search":
		s.search(w, parts[0], body)
	default:
		s.writeError(w, http.StatusBadRequest, errInfo{"illegal_argument_exception",
			fmt.Sprintf("request [%s] contains unrecognized parameters or path", r.URL.Path)})
	}
}

func (s *Server) nextFault() int {
	if s.down != 0 {
		return s.down
	}
	if len(s.faults) == 0 {
		return 0
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f.status
}

// errInfo is an error's type and reason.
type errInfo struct{ typ, reason string }

// errorFor is the error a product gives for a status: 429 a rejected
// execution (EsRejectedExecutionException, renamed by OpenSearch), 503 an
// inactive shard, other 5xx an internal error.
func (s *Server) errorFor(status int) errInfo {
	switch {
	case status == http.StatusTooManyRequests && s.product == Elasticsearch:
		return errInfo{"es_rejected_execution_exception", "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1048576, max_coordinating_and_primary_bytes=1048576]"}
	case status == http.StatusTooManyRequests:
		return errInfo{"rejected_execution_exception", "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1048576, max_coordinating_and_primary_bytes=1048576]"}
	case status == http.StatusBadRequest:
		return errInfo{"mapper_parsing_exception", "failed to parse field [created_at] of type [date] in document with id 'x'. Preview of field's value: 'yesterday'"}
	case status == http.StatusServiceUnavailable:
		return errInfo{"unavailable_shards_exception", "[conflux][0] primary shard is not active Timeout: [1m], request: [BulkShardRequest [[conflux][0]] containing [1] requests]"}
	}
	return errInfo{"exception", "Internal server error"}
}

func (e errInfo) object() map[string]any {
	return map[string]any{"type": e.typ, "reason": e.reason}
}

// writeError writes the error body both products use:
// {"error": {"root_cause": [...], "type", "reason"}, "status": N}.
func (s *Server) writeError(w http.ResponseWriter, status int, e errInfo) {
	obj := e.object()
	obj["root_cause"] = []any{e.object()}
	writeJSON(w, status, map[string]any{"error": obj, "status": status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func (s *Server) info(w http.ResponseWriter) {
	version := map[string]any{"number": "8.19.7", "build_flavor": "default"}
	tagline := "You Know, for Search"
	if s.product == OpenSearch {
		version = map[string]any{"distribution": "opensearch", "number": "2.19.1"}
		tagline = "The OpenSearch Project: https://opensearch.org/"
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": "node-1", "cluster_name": "conflux-test", "version": version, "tagline": tagline})
}

func (s *Server) createIndex(w http.ResponseWriter, name string) {
	if _, ok := s.indexes[name]; ok {
		s.writeError(w, http.StatusBadRequest, errInfo{"resource_already_exists_exception",
			fmt.Sprintf("index [%s/Xq3kMf0nQbmRpl9aUeLqTw] already exists", name)})
		return
	}
	s.indexes[name] = newIndex()
	writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true, "shards_acknowledged": true, "index": name})
}

func newIndex() *index {
	return &index{docs: map[string]*stored{}, tombstones: map[string]tombstone{}}
}

func (s *Server) index(name string) *index {
	ix := s.indexes[name]
	if ix == nil {
		ix = newIndex()
		s.indexes[name] = ix
	}
	return ix
}

func (s *Server) get(w http.ResponseWriter, name, id string) {
	ix := s.indexes[name]
	if ix == nil {
		s.writeError(w, http.StatusNotFound, errInfo{"index_not_found_exception", "no such index [" + name + "]"})
		return
	}
	d, ok := ix.docs[id]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"_index": name, "_id": id, "found": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"_index": name, "_id": id, "_version": d.version,
		"_seq_no": d.seqNo, "_primary_term": 1, "found": true, "_source": json.RawMessage(d.source)})
}
