package confluencesim

import (
	"slices"
	"strings"
)

// GET /wiki/api/v2/spaces
func (q *req) v2Spaces() reply {
	field, desc, bad := q.sortParam("id", spaceSorts...)
	if bad != nil {
		return *bad
	}
	typ, bad := q.enumParam("type", "global", "collaboration", "knowledge_base", "personal", "system", "onboarding", "xflow_sample_space")
	if bad != nil {
		return *bad
	}
	status, bad := q.enumParam("status", "current", "archived")
	if bad != nil {
		return *bad
	}
	if _, bad := q.enumParam("description-format", "plain", "view"); bad != nil {
		return *bad
	}
	ids, keys := q.listParam("ids"), q.listParam("keys")
	labels := q.listParam("labels")
	var rows []row
	for _, s := range q.ix.t.Spaces {
		switch {
		case !q.ix.canViewSpace(q.c, s),
			len(ids) > 0 && !slices.Contains(ids, s.ID),
			len(keys) > 0 && !slices.Contains(keys, s.Key),
			typ != "" && s.Type != typ,
			status != "" && s.Status != status,
			len(labels) > 0: // spaces carry no labels in the simulator
			continue
		}
		k := sortKey{ID: numID(s.ID)}
		switch field {
		case "key":
			k.S = s.Key
		case "name":
			k.S = strings.ToLower(s.Name)
		}
		rows = append(rows, row{key: k, render: func() any { return q.spaceV2(s) }})
	}
	sortRows(rows, desc)
	return q.listV2(rows, desc, 25, true)
}

// GET /wiki/api/v2/spaces/{id}
func (q *req) v2Space() reply {
	id, bad := q.intID("id")
	if bad != nil {
		return *bad
	}
	s := q.ix.spaces[id]
	if !q.ix.canViewSpace(q.c, s) {
		return q.notFound("Not Found")
	}
	m := q.spaceV2(s)
	m["_links"].(map[string]any)["base"] = q.base()
	return q.ok(m)
}

var (
	pageListStatuses = []string{"current", "archived", "deleted", "trashed"}
	blogListStatuses = []string{"current", "deleted", "trashed"}
	listFormats      = []string{"storage", "atlas_doc_format"}
	singleFormats    = []string{"storage", "atlas_doc_format", "view", "export_view", "anonymous_export_view", "styled_view", "editor"}
)

// contentQuery is the filter of the page and blog post lists.
type contentQuery struct {
	typ      string
	spaceIDs []string
	ids      []string
	status   map[string]bool
	title    string
	rootOnly bool
	format   string
	field    string
	desc     bool
}

func (q *req) parseContentQuery(typ string) (contentQuery, *reply) {
	cq := contentQuery{typ: typ, title: q.r.URL.Query().Get("title")}
	var bad *reply
	if cq.ids, bad = q.idListParam("id", 250); bad != nil {
		return cq, bad
	}
	sorts, statuses, def := pageSorts, pageListStatuses, []string{"current", "archived"}
	if typ == "blogpost" {
		// Blog posts have no archived status; the default is current.
		sorts, statuses, def = blogSorts, blogListStatuses, []string{"current"}
	}
	if cq.field, cq.desc, bad = q.sortParam("id", sorts...); bad != nil {
		return cq, bad
	}
	if cq.status, bad = q.statusParam(statuses, def); bad != nil {
		return cq, bad
	}
	if cq.format, bad = q.enumParam("body-format", listFormats...); bad != nil {
		return cq, bad
	}
	return cq, nil
}

func (q *req) listContent(cq contentQuery) reply {
	var rows []row
	for _, c := range q.ix.t.Content {
		switch {
		case c.Type != cq.typ,
			!cq.status[c.Status],
			len(cq.spaceIDs) > 0 && !slices.Contains(cq.spaceIDs, c.SpaceID),
			len(cq.ids) > 0 && !slices.Contains(cq.ids, c.ID),
			cq.title != "" && !strings.EqualFold(cq.title, c.Title),
			cq.rootOnly && c.ParentID != "",
			!q.ix.canView(q.c, c):
			continue
		}
		render := func() any { return q.pageV2(c, cq.format) }
		if c.Type == "blogpost" {
			render = func() any { return q.blogpostV2(c, cq.format) }
		}
		rows = append(rows, row{key: contentKey(c, cq.field), render: render})
	}
	sortRows(rows, cq.desc)
	return q.listV2(rows, cq.desc, 25, true)
}

// GET /wiki/api/v2/pages and /blogposts
func (q *req) v2AllContent(typ string) func() reply {
	return func() reply {
		cq, bad := q.parseContentQuery(typ)
		if bad != nil {
			return *bad
		}
		if typ == "page" {
			if st, bad := q.enumParam("subtype", "live", "page"); bad != nil {
				return *bad
			} else if st == "live" {
				cq.ids = []string{"-"} // no live docs in the simulator
			}
		}
		if cq.spaceIDs, bad = q.idListParam("space-id", 100); bad != nil {
			return *bad
		}
		return q.listContent(cq)
	}
}

// GET /wiki/api/v2/spaces/{id}/pages and /spaces/{id}/blogposts
func (q *req) v2SpaceContent(typ string) func() reply {
	return func() reply {
		id, bad := q.intID("id")
		if bad != nil {
			return *bad
		}
		if !q.ix.canViewSpace(q.c, q.ix.spaces[id]) {
			return q.notFound("Not Found")
		}
		cq, bad := q.parseContentQuery(typ)
		if bad != nil {
			return *bad
		}
		if typ == "page" {
			depth, bad := q.enumParam("depth", "all", "root")
			if bad != nil {
				return *bad
			}
			cq.rootOnly = depth == "root"
		}
		cq.spaceIDs = []string{id}
		return q.listContent(cq)
	}
}

// GET /wiki/api/v2/pages/{id} and /blogposts/{id}
func (q *req) v2OneContent(typ string) func() reply {
	return func() reply {
		id, bad := q.intID("id")
		if bad != nil {
			return *bad
		}
		c := q.ix.content[id]
		if c == nil || c.Type != typ || !q.ix.canView(q.c, c) {
			return q.notFound("Cannot find a " + map[string]string{"page": "page", "blogpost": "blog post"}[typ] + " with id [" + id + "]")
		}
		allowed := []string{"current", "archived", "trashed", "deleted", "historical", "draft"}
		def := []string{"current", "archived", "trashed"}
		if typ == "blogpost" {
			// Blog posts have no archived status (spec enum), so neither
			// does their default.
			allowed = []string{"current", "trashed", "deleted", "historical", "draft"}
			def = []string{"current", "trashed"}
		}
		status, bad := q.statusParam(allowed, def)
		if bad != nil {
			return *bad
		}
		if q.boolParam("get-draft", false) {
			status["draft"] = true
		}
		if !status[c.Status] {
			return q.notFound("Cannot find a page with id [" + id + "]")
		}
		format, bad := q.enumParam("body-format", singleFormats...)
		if bad != nil {
			return *bad
		}
		if v := q.r.URL.Query().Get("version"); v != "" && v != itoa(c.Version) {
			// Only the current version is kept (stricter than the real API).
			return q.notFound("Cannot find version " + v + " of content [" + id + "]")
		}
		var m map[string]any
		if typ == "page" {
			m = q.pageV2(c, format)
		} else {
			m = q.blogpostV2(c, format)
		}
		q.singleExtras(m, c.Labels)
		if !q.boolParam("include-version", true) {
			delete(m, "version")
		}
		return q.ok(m)
	}
}

// singleExtras adds `_links.base` and, when asked, the labels block.
func (q *req) singleExtras(m map[string]any, labels []string) {
	m["_links"].(map[string]any)["base"] = q.base()
	if q.boolParam("include-labels", false) {
		res := make([]any, 0, len(labels))
		for _, l := range labels {
			res = append(res, labelV2(l))
		}
		m["labels"] = map[string]any{"results": res, "meta": map[string]any{"hasMore": false, "cursor": ""},
			"_links": map[string]any{"self": strings.TrimPrefix(q.r.URL.Path, "/wiki") + "/labels"}}
	}
}

// GET /wiki/api/v2/folders/{id}
func (q *req) v2Folder() reply {
	id, bad := q.intID("id")
	if bad != nil {
		return *bad
	}
	c := q.ix.content[id]
	if c == nil || c.Type != "folder" || c.Status == "draft" || !q.ix.canView(q.c, c) {
		return q.notFound("Content with id: [" + id + "] not found")
	}
	m := q.folderV2(c)
	m["_links"].(map[string]any)["base"] = q.base()
	return q.ok(m)
}
