package confluencesim

import "slices"

// Site-wide v2 lists (/footer-comments, /inline-comments, /attachments):
// every comment or attachment the caller may view, across spaces, with no
// space filter.

// siteWideContainer tells whether the page or blog post of a comment or
// attachment lets it appear in a site-wide list: current or archived (as
// /pages lists by default; UNCONFIRMED), never trashed, deleted or draft.
func siteWideContainer(k *Content) bool {
	return k != nil && (k.Status == "current" || k.Status == "archived")
}

// GET /wiki/api/v2/footer-comments and /inline-comments: the current
// comments of kind the caller may view, replies included (UNCONFIRMED;
// the reference believes the site-wide lists include them), each naming
// its page or blog post, replies also their parent comment. body-format
// storage|atlas_doc_format, sort ±created-date|±modified-date, limit
// 1–250 (25).
func (q *req) v2AllComments(kind string) func() reply {
	return func() reply {
		format, bad := q.enumParam("body-format", listFormats...)
		if bad != nil {
			return *bad
		}
		field, desc, bad := q.sortParam("", dateSorts...)
		if bad != nil {
			return *bad
		}
		var rows []row
		for _, c := range q.ix.t.Content {
			if c.Type != "comment" || c.CommentKind != kind || c.Status != "current" ||
				!siteWideContainer(q.ix.container(c)) || !q.ix.canView(q.c, c) {
				continue
			}
			rows = append(rows, row{key: contentKey(c, field), render: func() any { return q.commentWithContainerV2(c, format) }})
		}
		sortRows(rows, desc)
		return q.listV2(rows, desc, 25, true)
	}
}

// GET /wiki/api/v2/footer-comments/{id} and /inline-comments/{id}: one
// comment (any status but draft) the caller may view; body-format as for
// a single page; only the current version (another is 404).
func (q *req) v2OneComment(kind string) func() reply {
	return func() reply {
		id, bad := q.intID("id")
		if bad != nil {
			return *bad
		}
		c := q.ix.content[id]
		if c == nil || c.Type != "comment" || c.CommentKind != kind || c.Status == "draft" || !q.ix.canView(q.c, c) {
			return q.notFound("Not Found")
		}
		format, bad := q.enumParam("body-format", singleFormats...)
		if bad != nil {
			return *bad
		}
		if v := q.r.URL.Query().Get("version"); v != "" && v != itoa(c.Version) {
			return q.notFound("Not Found")
		}
		m := q.commentWithContainerV2(c, format)
		m["_links"].(map[string]any)["base"] = q.base()
		if !q.boolParam("include-version", true) {
			delete(m, "version")
		}
		return q.ok(m)
	}
}

// commentWithContainerV2 is commentV2 with pageId or blogPostId on
// replies too (the generic FooterCommentModel / InlineCommentModel).
func (q *req) commentWithContainerV2(c *Content, format string) map[string]any {
	m := q.commentV2(c, format)
	if k := q.ix.container(c); k != nil && k.Type == "blogpost" {
		m["blogPostId"] = k.ID
	} else if k != nil {
		m["pageId"] = k.ID
	}
	return m
}

// GET /wiki/api/v2/attachments: the attachments the caller may view
// whose page or blog post is current or archived; filters and paging as
// the per-page list (attachmentList).
func (q *req) v2AllAttachments() reply {
	list := slices.DeleteFunc(slices.Clone(q.ix.t.Attachments), func(a *Attachment) bool {
		return !siteWideContainer(q.ix.content[a.ContainerID]) || !q.ix.canViewAttachment(q.c, a)
	})
	return q.attachmentList(list)
}
