package confluencesim

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
)

// container finds the page or blog post named by {id} (attachments,
// labels, comments), visible to the caller.
func (q *req) containerOf(typ string) (*Content, *reply) {
	id, bad := q.intID("id")
	if bad != nil {
		return nil, bad
	}
	c := q.ix.content[id]
	if c == nil || c.Type != typ || c.Status == "draft" || !q.ix.canView(q.c, c) {
		return nil, ref(q.notFound("Cannot find a " + map[string]string{"page": "page", "blogpost": "blog post"}[typ] + " with id [" + id + "]"))
	}
	return c, nil
}

// GET /wiki/api/v2/{pages|blogposts}/{id}/attachments (limit default 50).
// Default status current+archived, like pages (UNCONFIRMED).
func (q *req) v2Attachments(typ string) func() reply {
	return func() reply {
		k, bad := q.containerOf(typ)
		if bad != nil {
			return *bad
		}
		return q.attachmentList(q.ix.attsOf[k.ID])
	}
}

// attachmentList serves a v2 attachment list: sort (by date), status
// (current, archived, trashed; default current+archived), mediaType and
// filename (exact) filters, limit default 50.
func (q *req) attachmentList(list []*Attachment) reply {
	field, desc, bad := q.sortParam("", dateSorts...)
	if bad != nil {
		return *bad
	}
	status, bad := q.statusParam([]string{"current", "archived", "trashed"}, []string{"current", "archived"})
	if bad != nil {
		return *bad
	}
	mt, fn := q.r.URL.Query().Get("mediaType"), q.r.URL.Query().Get("filename")
	var rows []row
	for _, a := range list {
		if !status[a.Status] || (mt != "" && a.MediaType != mt) || (fn != "" && a.Title != fn) {
			continue
		}
		rows = append(rows, row{key: attachmentKey(a, field), render: func() any { return q.attachmentV2(a) }})
	}
	sortRows(rows, desc)
	return q.listV2(rows, desc, 50, true)
}

// visibleAttachment finds the attachment of {id} ("att123" or "123").
func (q *req) visibleAttachment() (*Attachment, *reply) {
	id := q.r.PathValue("id")
	a := q.ix.attachment(id)
	if a == nil || !q.ix.canViewAttachment(q.c, a) {
		return nil, ref(q.notFound("Not Found"))
	}
	return a, nil
}

// GET /wiki/api/v2/attachments/{id}
func (q *req) v2Attachment() reply {
	a, bad := q.visibleAttachment()
	if bad != nil {
		return *bad
	}
	if v := q.r.URL.Query().Get("version"); v != "" && v != itoa(a.Version) {
		return q.notFound("Not Found")
	}
	m := q.attachmentV2(a)
	q.singleExtras(m, a.Labels)
	if !q.boolParam("include-version", true) {
		delete(m, "version")
	}
	return q.ok(m)
}

// GET /wiki/api/v2/{pages|blogposts|attachments}/{id}/labels
func (q *req) v2Labels(typ string) func() reply {
	return func() reply {
		var labels []string
		if typ == "attachment" {
			a, bad := q.visibleAttachment()
			if bad != nil {
				return *bad
			}
			labels = a.Labels
		} else {
			c, bad := q.containerOf(typ)
			if bad != nil {
				return *bad
			}
			labels = c.Labels
		}
		prefix, bad := q.enumParam("prefix", "my", "team", "global", "system")
		if bad != nil {
			return *bad
		}
		field, desc, bad := q.sortParam("id", labelSorts...)
		if bad != nil {
			return *bad
		}
		var rows []row
		for _, l := range labels {
			if prefix != "" && prefix != "global" {
				continue
			}
			k := sortKey{ID: numID(labelID(l))}
			if field == "name" {
				k.S = l
			}
			rows = append(rows, row{key: k, render: func() any { return labelV2(l) }})
		}
		sortRows(rows, desc)
		return q.listV2(rows, desc, 25, true)
	}
}

// GET /wiki/api/v2/{pages|blogposts}/{id}/{footer|inline}-comments: root
// comments only.
func (q *req) v2Comments(typ, kind string) func() reply {
	return func() reply {
		k, bad := q.containerOf(typ)
		if bad != nil {
			return *bad
		}
		allowed := []string{"current", "archived", "trashed", "deleted", "historical", "draft"}
		if typ == "blogpost" {
			allowed = []string{"current", "deleted", "trashed", "historical", "draft"}
		}
		return q.commentList(q.ix.comments[k.ID], kind, allowed)
	}
}

func (q *req) commentList(list []*Content, kind string, allowed []string) reply {
	status, bad := q.statusParam(allowed, []string{"current"})
	if bad != nil {
		return *bad
	}
	format, bad := q.enumParam("body-format", listFormats...)
	if bad != nil {
		return *bad
	}
	field, desc, bad := q.sortParam("", dateSorts...)
	if bad != nil {
		return *bad
	}
	var resolution []string
	if kind == "inline" {
		resolution = q.listParam("resolution-status")
		for _, r := range resolution {
			if !slices.Contains([]string{"resolved", "open", "dangling", "reopened"}, r) {
				return q.badRequest("Invalid value for 'resolution-status': " + r)
			}
		}
	}
	var rows []row
	for _, c := range list {
		rs := c.ResolutionStatus
		if rs == "" {
			rs = "open"
		}
		if c.CommentKind != kind || !status[c.Status] || (len(resolution) > 0 && !slices.Contains(resolution, rs)) {
			continue
		}
		rows = append(rows, row{key: contentKey(c, field), render: func() any { return q.commentV2(c, format) }})
	}
	sortRows(rows, desc)
	return q.listV2(rows, desc, 25, true)
}

// GET /wiki/api/v2/{footer|inline}-comments/{id}/children: replies.
func (q *req) v2CommentChildren(kind string) func() reply {
	return func() reply {
		id, bad := q.intID("id")
		if bad != nil {
			return *bad
		}
		c := q.ix.content[id]
		if c == nil || c.Type != "comment" || c.CommentKind != kind || !q.ix.canView(q.c, c) {
			return q.notFound("Not Found")
		}
		return q.commentList(q.ix.replies[c.ID], kind, []string{"current", "archived", "trashed", "deleted", "historical", "draft"})
	}
}

// GET /wiki/api/v2/spaces/{id}/permissions
func (q *req) v2SpacePermissions() reply {
	id, bad := q.intID("id")
	if bad != nil {
		return *bad
	}
	s := q.ix.spaces[id]
	if !q.ix.canViewSpace(q.c, s) {
		return q.notFound("Not Found")
	}
	rows := rowsInOrder(s.Permissions, func(p SpacePermission) any {
		return map[string]any{"id": p.ID, "principal": map[string]any{"type": p.PrincipalType, "id": p.PrincipalID},
			"operation": map[string]any{"key": p.Key, "targetType": p.TargetType}}
	})
	return q.listV2(rows, false, 25, false)
}

// POST /wiki/api/v2/users-bulk {"accountIds":[…]} (1–250 ids).
func (q *req) v2UsersBulk() reply {
	var in struct {
		AccountIDs []string `json:"accountIds"`
	}
	b, err := io.ReadAll(io.LimitReader(q.r.Body, 1<<20))
	if err != nil || json.Unmarshal(b, &in) != nil {
		return q.badRequest("Invalid request body")
	}
	if len(in.AccountIDs) < 1 || len(in.AccountIDs) > 250 {
		return q.badRequest("accountIds must contain between 1 and 250 account ids")
	}
	if q.c.user == nil {
		return q.notFound("Not Found")
	}
	res := []any{}
	seen := map[string]bool{}
	for _, id := range in.AccountIDs {
		if u := q.ix.users[strings.TrimSpace(id)]; u != nil && !seen[id] {
			seen[id] = true
			res = append(res, q.userV2(u))
		}
	}
	return q.ok(map[string]any{"results": res, "_links": map[string]any{"base": q.base()}})
}
