package confluencesim

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// sortKey orders the rows of a list: by S, then N, then ID.
type sortKey struct {
	S  string `json:"s,omitempty"`
	N  int64  `json:"n,omitempty"`
	ID int64  `json:"id"`
}

func cmpKey(a, b sortKey) int {
	return cmp.Or(strings.Compare(a.S, b.S), cmp.Compare(a.N, b.N), cmp.Compare(a.ID, b.ID))
}

// row is one item of a list with its sort key; render builds its JSON.
type row struct {
	key    sortKey
	render func() any
}

func sortRows(rows []row, desc bool) {
	slices.SortStableFunc(rows, func(a, b row) int {
		if desc {
			return cmpKey(b.key, a.key)
		}
		return cmpKey(a.key, b.key)
	})
}

// cursor is the opaque v2 cursor: the key of the last row served, bound
// to the sort it was made for. Keyset pagination, so a change between two
// calls neither repeats nor skips the items that did not move.
type cursor struct {
	Sort string  `json:"sort"`
	Last sortKey `json:"last"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return c, false
	}
	return c, true
}

// limitParam parses a v2 limit: 1..250, def when absent; 400 outside
// (exact message UNCONFIRMED).
func (q *req) limitParam(def, maxLimit int) (int, *reply) {
	v := q.r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		return 0, ref(q.badRequest("Invalid value for 'limit': must be between 1 and " + strconv.Itoa(maxLimit)))
	}
	return n, nil
}

// listV2 serves one page of rows (sorted already, descending when desc)
// with `_links.next` (all original parameters plus cursor, relative,
// starting with /wiki), `_links.base`, and the Link header when the spec
// declares one (link).
func (q *req) listV2(rows []row, desc bool, defLimit int, link bool) reply {
	limit, bad := q.limitParam(defLimit, 250)
	if bad != nil {
		return *bad
	}
	sortParam := q.r.URL.Query().Get("sort")
	start := 0
	if cs := q.r.URL.Query().Get("cursor"); cs != "" {
		c, ok := decodeCursor(cs)
		if !ok || c.Sort != sortParam {
			return q.badRequest("Invalid cursor")
		}
		start = len(rows)
		for i, r := range rows {
			d := cmpKey(r.key, c.Last)
			if desc {
				d = -d
			}
			if d > 0 {
				start = i
				break
			}
		}
	}
	end := min(len(rows), start+limit)
	results := make([]any, 0, end-start)
	for _, r := range rows[start:end] {
		results = append(results, r.render())
	}
	links := map[string]any{"base": q.base()}
	rep := reply{status: http.StatusOK}
	if end < len(rows) {
		next := q.nextV2(encodeCursor(cursor{Sort: sortParam, Last: rows[end-1].key}))
		links["next"] = next
		if link {
			rep.header = http.Header{"Link": {"<" + next + `>; rel="next", <` + q.base() + `>; rel="base"`}}
		}
	}
	rep.body = map[string]any{"results": results, "_links": links}
	return rep
}

func (q *req) nextV2(cur string) string {
	v := q.r.URL.Query()
	v.Set("cursor", cur)
	return q.r.URL.Path + "?" + v.Encode()
}

// rowsByPosition builds rows that keep the given order.
func rowsInOrder[T any](items []T, render func(T) any) []row {
	rows := make([]row, len(items))
	for i, it := range items {
		rows[i] = row{key: sortKey{ID: int64(i)}, render: func() any { return render(it) }}
	}
	return rows
}

// v1 pagination ------------------------------------------------------------

// startLimit parses v1 start (default 0) and limit (default def). A limit
// over maxLimit is capped, or refused with 400 when strict.
func (q *req) startLimit(def, maxLimit int, strict bool) (start, limit int, bad *reply) {
	qs := q.r.URL.Query()
	start, limit = 0, def
	if v := qs.Get("start"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, ref(q.badRequest("start must be a non-negative integer"))
		}
		start = n
	}
	if v := qs.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, ref(q.badRequest("limit must be a non-negative integer"))
		}
		limit = n
	}
	if limit > maxLimit {
		if strict {
			return 0, 0, ref(q.badRequest("The limit parameter must be less than or equal to " + strconv.Itoa(maxLimit)))
		}
		limit = maxLimit
	}
	if limit == 0 {
		limit = def
	}
	return start, limit, nil
}

// v1Links is the v1 `_links` object; next (context-relative, without
// /wiki) only when given.
func (q *req) v1Links(next string) map[string]any {
	l := map[string]any{"base": q.base(), "context": "/wiki", "self": q.selfV1()}
	if next != "" {
		l["next"] = next
	}
	return l
}

func (q *req) selfV1() string {
	self := q.base() + strings.TrimPrefix(q.r.URL.Path, "/wiki")
	if q.r.URL.RawQuery != "" {
		self += "?" + q.r.URL.RawQuery
	}
	return self
}

// nextV1 is the context-relative link to the page starting at start.
func (q *req) nextV1(start, limit int) string {
	v := q.r.URL.Query()
	v.Set("start", strconv.Itoa(start))
	v.Set("limit", strconv.Itoa(limit))
	return strings.TrimPrefix(q.r.URL.Path, "/wiki") + "?" + v.Encode()
}

// pageV1 serves items[start:start+limit] in a v1 envelope {results, start,
// limit, size, _links}.
func pageV1[T any](q *req, items []T, start, limit int, render func(T) any) map[string]any {
	lo := min(start, len(items))
	hi := min(len(items), lo+limit)
	results := make([]any, 0, hi-lo)
	for _, it := range items[lo:hi] {
		results = append(results, render(it))
	}
	next := ""
	if hi < len(items) {
		next = q.nextV1(hi, limit)
	}
	return map[string]any{"results": results, "start": start, "limit": limit, "size": len(results), "_links": q.v1Links(next)}
}
