package confluencesim

import (
	"slices"
	"strconv"
	"strings"
)

// listParam reads a list parameter given comma-separated, repeated, or
// both.
func (q *req) listParam(name string) []string {
	var out []string
	for _, v := range q.r.URL.Query()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// idListParam reads a list of int64 ids (comma-separated, repeated, or
// both) of at most maxItems (the spec's maxItems); nil when absent.
func (q *req) idListParam(name string, maxItems int) ([]string, *reply) {
	ids := q.listParam(name)
	if len(ids) > maxItems {
		return nil, ref(q.badRequest("Invalid value for '" + name + "': at most " + strconv.Itoa(maxItems) + " ids"))
	}
	for _, id := range ids {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return nil, ref(q.badRequest("Invalid value for '" + name + "': " + id))
		}
	}
	return ids, nil
}

// enumParam checks a single-valued parameter against its enum; "" when
// absent.
func (q *req) enumParam(name string, allowed ...string) (string, *reply) {
	v := q.r.URL.Query().Get(name)
	if v == "" || slices.Contains(allowed, v) {
		return v, nil
	}
	return "", ref(q.badRequest("Invalid value for '" + name + "': " + v))
}

// statusParam reads a status list: def when absent; a value outside
// allowed is refused with 400 (draft in a list status is a 400 live).
func (q *req) statusParam(allowed, def []string) (map[string]bool, *reply) {
	vals := q.listParam("status")
	if len(vals) == 0 {
		vals = def
	}
	set := map[string]bool{}
	for _, v := range vals {
		if !slices.Contains(allowed, v) {
			return nil, ref(q.badRequest("Invalid value for 'status': " + v))
		}
		set[v] = true
	}
	return set, nil
}

// sortParam reads sort ("field" or "-field") checked against allowed
// (which lists both forms); def when absent.
func (q *req) sortParam(def string, allowed ...string) (field string, desc bool, bad *reply) {
	v, bad := q.enumParam("sort", allowed...)
	if bad != nil {
		return "", false, bad
	}
	if v == "" {
		v = def
	}
	return strings.TrimPrefix(v, "-"), strings.HasPrefix(v, "-"), nil
}

var (
	pageSorts    = []string{"id", "-id", "created-date", "-created-date", "modified-date", "-modified-date", "title", "-title"}
	blogSorts    = []string{"id", "-id", "created-date", "-created-date", "modified-date", "-modified-date"}
	dateSorts    = []string{"created-date", "-created-date", "modified-date", "-modified-date"}
	childSorts   = []string{"created-date", "-created-date", "id", "-id", "child-position", "-child-position", "modified-date", "-modified-date"}
	contentSorts = append(slices.Clone(childSorts), "title", "-title")
	spaceSorts   = []string{"id", "-id", "key", "-key", "name", "-name"}
	labelSorts   = []string{"id", "-id", "name", "-name", "created-date", "-created-date"}
)

// contentKey is the sort key of content for a sort field.
func contentKey(c *Content, field string) sortKey {
	k := sortKey{ID: numID(c.ID)}
	switch field {
	case "created-date":
		k.N = c.CreatedAt.UnixNano()
	case "modified-date":
		k.N = c.UpdatedAt.UnixNano()
	case "title":
		k.S = strings.ToLower(c.Title)
	case "child-position":
		k.N = int64(c.Position)
	}
	return k
}

func attachmentKey(a *Attachment, field string) sortKey {
	k := sortKey{ID: numID(a.ID)}
	switch field {
	case "created-date":
		k.N = a.CreatedAt.UnixNano()
	case "modified-date":
		k.N = a.UpdatedAt.UnixNano()
	}
	return k
}

// intID checks a path id declared int64 in the spec.
func (q *req) intID(name string) (string, *reply) {
	v := q.r.PathValue(name)
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		return "", ref(q.badRequest("Invalid value for '" + name + "': " + v))
	}
	return v, nil
}

func (q *req) boolParam(name string, def bool) bool {
	switch q.r.URL.Query().Get(name) {
	case "true":
		return true
	case "false":
		return false
	}
	return def
}

func itoa(n int) string { return strconv.Itoa(n) }
