package searchsink

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/conflux-dev/conflux/proto"
)

// getReply is the body of a document read.
type getReply struct {
	Found  bool            `json:"found"`
	Source json.RawMessage `json:"_source"`
}

// get reads one document's source into v; false when there is none.
func (s *Sink) get(ctx context.Context, index, id string, v any) (bool, error) {
	r, err := s.c.Get(ctx, index, id)
	if err != nil {
		return false, s.errorf("get %s/%s: %w", index, id, err)
	}
	if r.Status == http.StatusNotFound {
		return false, nil
	}
	if r.Status >= 300 {
		return false, s.errorf("get %s/%s: %s", index, id, replyError(r))
	}
	var g getReply
	if err := json.Unmarshal(r.Body, &g); err != nil {
		return false, s.errorf("read %s/%s: %w", index, id, err)
	}
	if !g.Found {
		return false, nil
	}
	if err := json.Unmarshal(g.Source, v); err != nil {
		return false, s.errorf("decode %s/%s: %w", index, id, err)
	}
	return true, nil
}

// Document returns the stored document with an id (a realtime read).
func (s *Sink) Document(ctx context.Context, id string) (proto.Document, bool, error) {
	var d proto.Document
	ok, err := s.get(ctx, s.opt.Index, id, &d)
	return d, ok, err
}

// Group returns a stored group.
func (s *Sink) Group(ctx context.Context, id string) (proto.Group, bool, error) {
	var g proto.Group
	ok, err := s.get(ctx, s.Identities(), groupKey(id), &g)
	return g, ok, err
}

// Documents returns every stored document sorted by id, paging with
// search_after. A search sees what the last refresh made visible (within
// the index's refresh interval, one second by default).
func (s *Sink) Documents(ctx context.Context) ([]proto.Document, error) {
	var out []proto.Document
	err := s.scan(ctx, s.opt.Index, map[string]any{"match_all": map[string]any{}}, "id", func(src json.RawMessage) error {
		var d proto.Document
		if err := json.Unmarshal(src, &d); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// searchReply is the part of a search answer the sink reads.
type searchReply struct {
	Hits struct {
		Hits []struct {
			Source json.RawMessage `json:"_source"`
			Sort   []any           `json:"sort"`
		} `json:"hits"`
	} `json:"hits"`
}

// scanPage is how many hits one search page carries.
const scanPage = 1000

// scan calls fn with the source of every hit of query, in the order of
// the keyword field sortBy, a page at a time.
func (s *Sink) scan(ctx context.Context, index string, query map[string]any, sortBy string, fn func(json.RawMessage) error) error {
	var after []any
	for {
		req := map[string]any{"size": scanPage, "query": query, "sort": []any{map[string]any{sortBy: "asc"}}}
		if after != nil {
			req["search_after"] = after
		}
		body, err := json.Marshal(req)
		if err != nil {
			return s.errorf("encode search: %w", err)
		}
		r, err := s.c.Search(ctx, index, body)
		if err != nil {
			return s.errorf("search %s: %w", index, err)
		}
		if r.Status >= 300 {
			return s.errorf("search %s: %s", index, replyError(r))
		}
		var sr searchReply
		if err := json.Unmarshal(r.Body, &sr); err != nil {
			return s.errorf("read search of %s: %w", index, err)
		}
		for _, h := range sr.Hits.Hits {
			if err := fn(h.Source); err != nil {
				return s.errorf("decode hit of %s: %w", index, err)
			}
		}
		if len(sr.Hits.Hits) < scanPage {
			return nil
		}
		after = sr.Hits.Hits[len(sr.Hits.Hits)-1].Sort
		if after == nil {
			return fmt.Errorf("%s sink: search of %s returned no sort values", s.opt.Product, index)
		}
	}
}
