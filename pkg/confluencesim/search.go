package confluencesim

import (
	"hash/fnv"
	"net/http"
	"strings"
	"time"
)

// searchable lists what CQL can find for the caller: current content and
// attachments whose container is current. Archived pages never appear;
// content of archived spaces only with includeArchivedSpaces=true. Items
// changed within Options.SearchLag are not indexed yet; only content edits
// count (restriction and label changes leave UpdatedAt alone, so they are
// seen at once).
func (q *req) searchable() []hit {
	withArchived := q.boolParam("includeArchivedSpaces", false)
	lagged := time.Now().Add(-q.s.opts.SearchLag)
	spaceOK := func(s *Space) bool { return s != nil && (s.Status == "current" || withArchived) }
	var out []hit
	for _, c := range q.ix.t.Content {
		if c.Status != "current" || !q.ix.canView(q.c, c) || !spaceOK(q.ix.spaceOf(c)) {
			continue
		}
		if c.Type == "comment" {
			if k := q.ix.container(c); k == nil || k.Status != "current" {
				continue
			}
		}
		if q.s.opts.SearchLag > 0 && c.UpdatedAt.After(lagged) {
			continue
		}
		out = append(out, hit{c: c})
	}
	for _, a := range q.ix.t.Attachments {
		k := q.ix.content[a.ContainerID]
		if a.Status != "current" || k == nil || k.Status != "current" || !q.ix.canViewAttachment(q.c, a) || !spaceOK(q.ix.spaceOf(k)) {
			continue
		}
		if q.s.opts.SearchLag > 0 && a.UpdatedAt.After(lagged) {
			continue
		}
		out = append(out, hit{a: a})
	}
	return out
}

// runCQL evaluates the cql parameter into sorted rows (keyset keys).
func (q *req) runCQL() ([]hit, []sortKey, bool, *reply) {
	vals, given := q.r.URL.Query()["cql"]
	if !given {
		return nil, nil, false, ref(q.badRequest("CQL query parameter is required"))
	}
	if strings.TrimSpace(vals[0]) == "" {
		// Measured live: an empty query is a 500.
		return nil, nil, false, ref(q.fail(http.StatusInternalServerError, "An internal error occurred"))
	}
	cq, err := parseCQL(vals[0], time.Now())
	if err != nil { // a *cqlError: its message is the answer's
		return nil, nil, false, ref(q.badRequest(err.Error()))
	}
	var hits []hit
	for _, h := range q.searchable() {
		if cq.where(q.ix, h) {
			hits = append(hits, h)
		}
	}
	desc := len(cq.order) > 0 && cq.order[0].desc
	field := ""
	if len(cq.order) > 0 {
		field = cq.order[0].field
	}
	keys := make([]sortKey, len(hits))
	rows := make([]row, len(hits))
	for i, h := range hits {
		k := sortKey{ID: numID(h.id())}
		switch field {
		case "lastmodified":
			k.N = h.updated().UnixNano()
		case "created":
			k.N = h.created().UnixNano()
		case "title":
			k.S = strings.ToLower(h.title())
		}
		rows[i] = row{key: k, render: func() any { return h }}
	}
	sortRows(rows, desc)
	for i, r := range rows {
		hits[i] = r.render().(hit)
		keys[i] = r.key
	}
	return hits, keys, desc, nil
}

// searchPage cuts one page: start is ignored (as live), the cursor is
// followed, pages are deliberately short (not the last although shorter
// than limit), and next is absent only on the last page.
func (q *req) searchPage(hits []hit, keys []sortKey, desc bool) (lo, hi int, limit int, next string, bad *reply) {
	_, limit, bad = q.startLimit(25, 100, false)
	if bad != nil {
		return
	}
	cs := q.r.URL.Query().Get("cursor")
	if cs != "" {
		c, ok := decodeCursor(cs)
		if !ok || c.Sort != "cql" {
			return 0, 0, 0, "", ref(q.badRequest("Invalid cursor"))
		}
		lo = len(hits)
		for i, k := range keys {
			d := cmpKey(k, c.Last)
			if desc {
				d = -d
			}
			if d > 0 {
				lo = i
				break
			}
		}
	}
	n := limit
	if limit > 1 {
		h := fnv.New32a()
		h.Write([]byte(q.r.URL.Query().Get("cql") + "|" + cs))
		n = limit - int(h.Sum32()%uint32(max(2, limit/4)))
	}
	hi = min(len(hits), lo+n)
	if hi < len(hits) {
		v := q.r.URL.Query()
		v.Del("start")
		v.Set("cursor", encodeCursor(cursor{Sort: "cql", Last: keys[hi-1]}))
		next = strings.TrimPrefix(q.r.URL.Path, "/wiki") + "?" + v.Encode()
	}
	return lo, hi, limit, next, nil
}

// searchHits runs the cql query (runCQL), cuts one page of it (searchPage)
// and renders each hit on the page with the expansions asked for (their
// names carry prefix, see contentExpansions). found counts all the hits.
func (q *req) searchHits(prefix string, render func(hit, map[string]bool) map[string]any) (res []any, found, limit int, next string, bad *reply) {
	ex, bad := q.contentExpansions(prefix)
	if bad != nil {
		return nil, 0, 0, "", bad
	}
	hits, keys, desc, bad := q.runCQL()
	if bad != nil {
		return nil, 0, 0, "", bad
	}
	lo, hi, limit, next, bad := q.searchPage(hits, keys, desc)
	if bad != nil {
		return nil, 0, 0, "", bad
	}
	res = make([]any, 0, hi-lo)
	for _, h := range hits[lo:hi] {
		res = append(res, render(h, ex))
	}
	return res, len(hits), limit, next, nil
}

// GET /wiki/rest/api/search?cql=
func (q *req) v1Search() reply {
	res, found, limit, next, bad := q.searchHits("content.", q.searchResult)
	if bad != nil {
		return *bad
	}
	start := atoiOr(q.r.URL.Query().Get("start"), 0) // echoed, not applied
	// totalSize is an estimate, as live (here: a little more than found).
	return q.ok(map[string]any{
		"results": res, "start": start, "limit": limit, "size": len(res), "totalSize": found + found/10,
		"cqlQuery": q.r.URL.Query().Get("cql"), "searchDuration": 17, "archivedResultCount": 0,
		"_links": q.v1Links(next),
	})
}

// GET /wiki/rest/api/content/search?cql=
func (q *req) v1ContentSearch() reply {
	res, _, limit, next, bad := q.searchHits("", q.hitContent)
	if bad != nil {
		return *bad
	}
	return q.ok(map[string]any{"results": res, "start": 0, "limit": limit, "size": len(res), "_links": q.v1Links(next)})
}

// hitContent is the v1 Content of a hit, with the expansions asked for
// (names without their prefix, see contentExpansions).
func (q *req) hitContent(h hit, ex map[string]bool) map[string]any {
	var m map[string]any
	var author string
	var version int
	var s *Space
	if h.a != nil {
		k := q.ix.content[h.a.ContainerID]
		s = q.ix.spaceOf(k)
		author, version = h.a.AuthorID, h.a.Version
		m = map[string]any{"id": h.a.ID, "type": "attachment", "status": h.a.Status, "title": h.a.Title,
			"_expandable": map[string]any{"container": "/rest/api/content/" + k.ID},
			"_links": map[string]any{"webui": q.ix.webui(k) + "?preview=/" + k.ID + "/" + h.a.ID,
				"download": "/rest/api/content/" + k.ID + "/child/attachment/" + h.a.ID + "/download",
				"self":     q.base() + "/rest/api/content/" + h.a.ID}}
		if ex["container"] {
			m["container"] = q.contentV1(k)
		}
	} else {
		s = q.ix.spaceOf(h.c)
		author, version = h.c.AuthorID, h.c.Version
		m = q.contentV1(h.c)
		if ex["container"] {
			if k := q.ix.container(h.c); k != nil {
				m["container"] = q.contentV1(k)
			}
		}
		if ex["ancestors"] {
			anc := []any{}
			for _, a := range q.ix.ancestors(h.c) {
				anc = append(anc, q.contentV1(a))
			}
			m["ancestors"] = anc
		}
	}
	if ex["version"] {
		by := q.userOrUnknownV1(author)
		m["version"] = map[string]any{"by": by, "when": ts(h.updated()), "number": version, "minorEdit": false, "message": "",
			"_expandable": map[string]any{"content": "/rest/api/content/" + h.id()}, "_links": map[string]any{}}
	}
	if ex["history"] {
		m["history"] = map[string]any{"latest": true, "createdBy": q.userOrUnknownV1(author), "createdDate": ts(h.created())}
	}
	if ex["space"] && s != nil {
		m["space"] = q.spaceV1(s, map[string]bool{})
	}
	if ex["metadata.labels"] {
		q.expandLabels(m, h.id(), h.labels())
	}
	var r Restrictions
	if h.c != nil && h.c.Type != "comment" {
		r = h.c.Restrictions
	}
	q.expandRestrictions(m, h.id(), r, ex)
	return m
}

func (q *req) searchResult(h hit, ex map[string]bool) map[string]any {
	c := q.hitContent(h, ex)
	s := hitSpace(q.ix, h)
	r := map[string]any{
		"content": c, "title": h.title(), "excerpt": "", "url": c["_links"].(map[string]any)["webui"],
		"breadcrumbs": []any{}, "entityType": "content", "iconCssClass": "aui-icon content-type-" + h.typ(),
		"lastModified": ts(h.updated()), "friendlyLastModified": h.updated().UTC().Format("Jan 02, 2006"), "score": 1.0,
	}
	if s != nil {
		r["resultGlobalContainer"] = map[string]any{"title": s.Name, "displayUrl": "/spaces/" + s.Key}
	}
	return r
}

func atoiOr(s string, def int) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return def
		}
		n = n*10 + int(r-'0')
	}
	return n
}
