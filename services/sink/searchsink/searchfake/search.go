package searchfake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// searchRequest is the part of a search body the fake understands.
type searchRequest struct {
	Size        *int              `json:"size"`
	Query       json.RawMessage   `json:"query"`
	Sort        []json.RawMessage `json:"sort"`
	SearchAfter []any             `json:"search_after"`
}

type hit struct {
	id     string
	source map[string]any
	raw    []byte
	key    string
}

func (s *Server) search(w http.ResponseWriter, name string, body []byte) {
	ix := s.indexes[name]
	if ix == nil {
		s.writeError(w, http.StatusNotFound, errInfo{"index_not_found_exception", "no such index [" + name + "]"})
		return
	}
	var req searchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.writeError(w, http.StatusBadRequest, errInfo{"parsing_exception", err.Error()})
		return
	}
	field, err := sortField(req.Sort)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, errInfo{"parsing_exception", err.Error()})
		return
	}
	hits, err := s.matching(ix, req.Query, field)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, errInfo{"parsing_exception", err.Error()})
		return
	}
	total := len(hits)
	hits = page(hits, req.SearchAfter, req.Size)
	out := make([]any, len(hits))
	for i, h := range hits {
		m := map[string]any{"_index": name, "_id": h.id, "_score": nil, "_source": json.RawMessage(h.raw)}
		if field != "" {
			m["sort"] = []any{h.key}
		}
		out[i] = m
	}
	writeJSON(w, http.StatusOK, map[string]any{"took": 1, "timed_out": false,
		"_shards": map[string]any{"total": 1, "successful": 1, "skipped": 0, "failed": 0},
		"hits":    map[string]any{"total": map[string]any{"value": total, "relation": "eq"}, "max_score": nil, "hits": out}})
}

// sortField reads [{"field": "asc"}]; only one ascending keyword field.
func sortField(sort []json.RawMessage) (string, error) {
	if len(sort) == 0 {
		return "", nil
	}
	var m map[string]string
	if err := json.Unmarshal(sort[0], &m); err != nil || len(m) != 1 {
		return "", fmt.Errorf("unsupported sort %s", sort[0])
	}
	for f, dir := range m {
		if dir != "asc" {
			return "", fmt.Errorf("unsupported sort order %q", dir)
		}
		return f, nil
	}
	return "", nil
}

func (s *Server) matching(ix *index, query json.RawMessage, field string) ([]hit, error) {
	var hits []hit
	for id, d := range ix.docs {
		var src map[string]any
		if err := json.Unmarshal(d.source, &src); err != nil {
			return nil, err
		}
		ok, err := Match(query, src)
		if err != nil {
			return nil, err
		}
		if ok {
			hits = append(hits, hit{id: id, source: src, raw: d.source, key: first(values(src, field))})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	return hits, nil
}

func page(hits []hit, after []any, size *int) []hit {
	if len(after) == 1 {
		key := fmt.Sprint(after[0])
		i, _ := slices.BinarySearchFunc(hits, key, func(h hit, k string) int {
			if h.key <= k {
				return -1
			}
			return 1
		})
		hits = hits[i:]
	}
	n := 10
	if size != nil {
		n = *size
	}
	return hits[:min(n, len(hits))]
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// values returns the values of a dotted field of a source, arrays
// flattened, as strings (booleans as "true"/"false").
func values(src map[string]any, field string) []string {
	var cur []any = []any{src}
	for _, part := range strings.Split(field, ".") {
		var next []any
		for _, c := range cur {
			m, ok := c.(map[string]any)
			if !ok {
				continue
			}
			switch v := m[part].(type) {
			case []any:
				next = append(next, v...)
			case nil:
			default:
				next = append(next, v)
			}
		}
		cur = next
	}
	out := make([]string, 0, len(cur))
	for _, v := range cur {
		out = append(out, fmt.Sprint(v))
	}
	return out
}
