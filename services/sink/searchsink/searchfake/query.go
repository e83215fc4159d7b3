package searchfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// lowercased are the fields the sinks map with the lowercase normalizer.
var lowercased = map[string]bool{"acl.users": true, "author.email": true, "email": true, "member_emails": true}

// Match evaluates a query against a document source: match_all, term,
// terms (a list of values), and bool with filter, must, should (with
// minimum_should_match) and must_not. Keyword fields compare exactly;
// those the sinks map with a lowercase normalizer compare lower-cased.
func Match(query json.RawMessage, src map[string]any) (bool, error) {
	if len(query) == 0 {
		return true, nil
	}
	var q map[string]json.RawMessage
	if err := json.Unmarshal(query, &q); err != nil || len(q) != 1 {
		return false, fmt.Errorf("unsupported query %s", query)
	}
	for kind, body := range q {
		switch kind {
		case "match_all":
			return true, nil
		case "term":
			return matchTerms(body, src, false)
		case "terms":
			return matchTerms(body, src, true)
		case "bool":
			return matchBool(body, src)
		}
		return false, fmt.Errorf("unsupported query type [%s]", kind)
	}
	return false, nil
}

func matchTerms(body json.RawMessage, src map[string]any, list bool) (bool, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || len(m) != 1 {
		return false, fmt.Errorf("unsupported term query %s", body)
	}
	for field, raw := range m {
		var wanted []any
		if list {
			if err := json.Unmarshal(raw, &wanted); err != nil {
				return false, fmt.Errorf("[terms] query on %s needs a list of values: %s", field, raw)
			}
		} else {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return false, err
			}
			if obj, ok := v.(map[string]any); ok {
				v = obj["value"]
			}
			wanted = []any{v}
		}
		have := values(src, field)
		for _, w := range wanted {
			ws := fmt.Sprint(w)
			if lowercased[field] {
				ws = strings.ToLower(ws)
			}
			if slices.ContainsFunc(have, func(h string) bool {
				if lowercased[field] {
					h = strings.ToLower(h)
				}
				return h == ws
			}) {
				return true, nil
			}
		}
	}
	return false, nil
}

type boolQuery struct {
	Filter             clauses `json:"filter"`
	Must               clauses `json:"must"`
	Should             clauses `json:"should"`
	MustNot            clauses `json:"must_not"`
	MinimumShouldMatch *int    `json:"minimum_should_match"`
}

// clauses is one query or a list of them.
type clauses []json.RawMessage

func (c *clauses) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '[' {
		return json.Unmarshal(data, (*[]json.RawMessage)(c))
	}
	*c = clauses{append(json.RawMessage(nil), data...)}
	return nil
}

func matchBool(body json.RawMessage, src map[string]any) (bool, error) {
	var b boolQuery
	if err := json.Unmarshal(body, &b); err != nil {
		return false, fmt.Errorf("unsupported bool query: %w", err)
	}
	for _, c := range slices.Concat(b.Filter, b.Must) {
		if ok, err := Match(c, src); err != nil || !ok {
			return false, err
		}
	}
	for _, c := range b.MustNot {
		if ok, err := Match(c, src); err != nil || ok {
			return false, err
		}
	}
	need := 0
	if len(b.Should) > 0 && len(b.Filter)+len(b.Must) == 0 {
		need = 1
	}
	if b.MinimumShouldMatch != nil {
		need = *b.MinimumShouldMatch
	}
	got := 0
	for _, c := range b.Should {
		ok, err := Match(c, src)
		if err != nil {
			return false, err
		}
		if ok {
			got++
		}
	}
	return got >= need, nil
}
