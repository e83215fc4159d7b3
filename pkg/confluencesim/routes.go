package confluencesim

import "net/http"

// routes registers every simulated endpoint. Paths are the /wiki/… paths
// of the site; the gateway strips its /ex/confluence/{cloudId} prefix.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	h := func(pattern string, f func(q *req) reply) { s.route(mux, pattern, f) }
	hq := func(pattern string, mk func(q *req) func() reply) {
		s.route(mux, pattern, func(q *req) reply { return mk(q)() })
	}
	const v2 = "GET /wiki/api/v2"
	h(v2+"/spaces", (*req).v2Spaces)
	h(v2+"/spaces/{id}", (*req).v2Space)
	hq(v2+"/spaces/{id}/pages", func(q *req) func() reply { return q.v2SpaceContent("page") })
	hq(v2+"/spaces/{id}/blogposts", func(q *req) func() reply { return q.v2SpaceContent("blogpost") })
	h(v2+"/spaces/{id}/permissions", (*req).v2SpacePermissions)
	hq(v2+"/pages", func(q *req) func() reply { return q.v2AllContent("page") })
	hq(v2+"/blogposts", func(q *req) func() reply { return q.v2AllContent("blogpost") })
	hq(v2+"/pages/{id}", func(q *req) func() reply { return q.v2OneContent("page") })
	hq(v2+"/blogposts/{id}", func(q *req) func() reply { return q.v2OneContent("blogpost") })
	h(v2+"/folders/{id}", (*req).v2Folder)
	h(v2+"/pages/{id}/children", (*req).v2Children)
	for _, kind := range []string{"page", "folder"} {
		base := v2 + "/" + kind + "s/{id}"
		hq(base+"/direct-children", func(q *req) func() reply { return q.v2DirectChildren(kind) })
		hq(base+"/descendants", func(q *req) func() reply { return q.v2Descendants(kind) })
		hq(base+"/ancestors", func(q *req) func() reply { return q.v2Ancestors(kind) })
	}
	for _, kind := range []string{"page", "blogpost"} {
		base := v2 + "/" + kind + "s/{id}"
		hq(base+"/attachments", func(q *req) func() reply { return q.v2Attachments(kind) })
		hq(base+"/labels", func(q *req) func() reply { return q.v2Labels(kind) })
		hq(base+"/footer-comments", func(q *req) func() reply { return q.v2Comments(kind, "footer") })
		hq(base+"/inline-comments", func(q *req) func() reply { return q.v2Comments(kind, "inline") })
	}
	h(v2+"/attachments", (*req).v2AllAttachments)
	h(v2+"/attachments/{id}", (*req).v2Attachment)
	hq(v2+"/attachments/{id}/labels", func(q *req) func() reply { return q.v2Labels("attachment") })
	for _, kind := range []string{"footer", "inline"} {
		hq(v2+"/"+kind+"-comments", func(q *req) func() reply { return q.v2AllComments(kind) })
		hq(v2+"/"+kind+"-comments/{id}", func(q *req) func() reply { return q.v2OneComment(kind) })
	}
	hq(v2+"/footer-comments/{id}/children", func(q *req) func() reply { return q.v2CommentChildren("footer") })
	hq(v2+"/inline-comments/{id}/children", func(q *req) func() reply { return q.v2CommentChildren("inline") })
	h("POST /wiki/api/v2/users-bulk", (*req).v2UsersBulk)

	const v1 = "GET /wiki/rest/api"
	h(v1+"/content/{id}/restriction", (*req).v1Restriction)
	h(v1+"/content/{id}/restriction/byOperation", (*req).v1RestrictionByOperation)
	h(v1+"/content/{id}/restriction/byOperation/{operationKey}", (*req).v1RestrictionForOperation)
	h(v1+"/content/{id}/child/attachment/{attachmentId}/download", (*req).v1Download)
	h(v1+"/content/{id}/label", (*req).v1Labels)
	h(v1+"/group", (*req).v1Groups)
	h(v1+"/group/by-id", (*req).v1GroupByID)
	h(v1+"/group/{groupId}/membersByGroupId", (*req).v1GroupMembers)
	h(v1+"/user", (*req).v1User)
	h(v1+"/user/current", (*req).v1CurrentUser)
	h(v1+"/user/bulk", (*req).v1UsersBulk)
	h(v1+"/user/memberof", (*req).v1MemberOf)
	h(v1+"/space", (*req).v1Spaces)
	h(v1+"/space/{spaceKey}", (*req).v1Space)
	h(v1+"/search", (*req).v1Search)
	h(v1+"/content/search", (*req).v1ContentSearch)
	h("POST /wiki/rest/api/content/{id}/permission/check", (*req).v1PermissionCheck)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.counters.add(func(c *Counters) { c.Endpoints["unmatched"]++ })
		http.NotFound(w, r)
	})
	return mux
}
