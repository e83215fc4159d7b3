package confluencesim

import "strconv"

// treeNode finds the page or folder named by the {id} of a tree endpoint.
func (q *req) treeNode(typ string) (*Content, *reply) {
	id, bad := q.intID("id")
	if bad != nil {
		return nil, bad
	}
	c := q.ix.content[id]
	if c == nil || c.Type != typ || c.Status == "draft" || !q.ix.canView(q.c, c) {
		msg := "Cannot find a page with id [" + id + "]"
		if typ == "folder" {
			msg = "Content with id: [" + id + "] not found"
		}
		return nil, ref(q.notFound(msg))
	}
	return c, nil
}

// listedChild: hierarchy listings show current and archived items the
// caller may view; trashed and draft children disappear.
func (q *req) listedChild(c *Content) bool {
	return (c.Status == "current" || c.Status == "archived") && q.ix.canView(q.c, c)
}

// GET /wiki/api/v2/pages/{id}/children (deprecated): child pages only,
// folders silently omitted.
func (q *req) v2Children() reply {
	p, bad := q.treeNode("page")
	if bad != nil {
		return *bad
	}
	field, desc, bad := q.sortParam("child-position", childSorts...)
	if bad != nil {
		return *bad
	}
	var rows []row
	for _, c := range q.ix.children[p.ID] {
		if c.Type != "page" || !q.listedChild(c) {
			continue
		}
		rows = append(rows, row{key: contentKey(c, field), render: func() any {
			return map[string]any{"id": c.ID, "status": c.Status, "title": c.Title, "spaceId": c.SpaceID, "childPosition": c.Position}
		}})
	}
	sortRows(rows, desc)
	return q.listV2(rows, desc, 25, true)
}

// GET /wiki/api/v2/{pages|folders}/{id}/direct-children: pages and
// folders. Rows carry no spaceId: the live API was observed without it
// although the spec lists it (the stricter reading).
func (q *req) v2DirectChildren(typ string) func() reply {
	return func() reply {
		p, bad := q.treeNode(typ)
		if bad != nil {
			return *bad
		}
		field, desc, bad := q.sortParam("child-position", contentSorts...)
		if bad != nil {
			return *bad
		}
		var rows []row
		for _, c := range q.ix.children[p.ID] {
			if !q.listedChild(c) {
				continue
			}
			rows = append(rows, row{key: contentKey(c, field), render: func() any {
				return map[string]any{"id": c.ID, "status": c.Status, "title": c.Title, "type": c.Type, "childPosition": c.Position}
			}})
		}
		sortRows(rows, desc)
		return q.listV2(rows, desc, 25, true)
	}
}

// GET /wiki/api/v2/{pages|folders}/{id}/descendants: top to bottom (level
// by level), depth 1–5 (default 2) below the node.
func (q *req) v2Descendants(typ string) func() reply {
	return func() reply {
		p, bad := q.treeNode(typ)
		if bad != nil {
			return *bad
		}
		depth := 2
		if v := q.r.URL.Query().Get("depth"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 5 {
				return q.badRequest("Invalid value for 'depth': must be between 1 and 5")
			}
			depth = n
		}
		type item struct {
			c     *Content
			depth int
		}
		var out []item
		level := []*Content{p}
		for d := 1; d <= depth && len(level) > 0; d++ {
			var next []*Content
			for _, n := range level {
				for _, c := range q.ix.children[n.ID] {
					if q.listedChild(c) {
						out = append(out, item{c, d})
						next = append(next, c)
					}
				}
			}
			level = next
		}
		rows := rowsInOrder(out, func(it item) any {
			return map[string]any{"id": it.c.ID, "status": it.c.Status, "title": it.c.Title, "type": it.c.Type,
				"parentId": it.c.ParentID, "depth": it.depth, "childPosition": it.c.Position}
		})
		return q.listV2(rows, false, 25, true)
	}
}

// GET /wiki/api/v2/{pages|folders}/{id}/ancestors: root first, at most
// limit of the nearest ancestors, no cursor: the rest come from calling
// again with the first (topmost) id returned.
func (q *req) v2Ancestors(typ string) func() reply {
	return func() reply {
		c, bad := q.treeNode(typ)
		if bad != nil {
			return *bad
		}
		limit, bad := q.limitParam(25, 250)
		if bad != nil {
			return *bad
		}
		var anc []*Content
		if c.Status != "trashed" {
			anc = q.ix.ancestors(c)
		}
		if len(anc) > limit {
			anc = anc[len(anc)-limit:]
		}
		res := make([]any, 0, len(anc))
		for _, a := range anc {
			res = append(res, map[string]any{"id": a.ID, "type": a.Type})
		}
		return q.ok(map[string]any{"results": res, "_links": map[string]any{"base": q.base()}})
	}
}
