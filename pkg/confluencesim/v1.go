package confluencesim

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// v1 renderings and endpoints (/wiki/rest/api/…).

func (q *req) userV1(u *User) map[string]any {
	return map[string]any{
		"type": "known", "accountId": u.AccountID, "accountType": u.AccountType, "email": email(u),
		"publicName": u.PublicName, "displayName": u.DisplayName, "timeZone": "Etc/UTC",
		"profilePicture":         map[string]any{"path": "/wiki/aa-avatar/" + u.AccountID, "width": 48, "height": 48, "isDefault": true},
		"isExternalCollaborator": false, "isGuest": false, "accountStatus": accountStatus(u),
		"_expandable": map[string]any{"operations": "", "personalSpace": ""},
		"_links":      map[string]any{"self": q.base() + "/rest/api/user?accountId=" + u.AccountID},
	}
}

// userOrUnknownV1 renders an account id that may name no user any more.
func (q *req) userOrUnknownV1(id string) map[string]any {
	if u := q.ix.users[id]; u != nil {
		return q.userV1(u)
	}
	return map[string]any{"type": "unknown", "accountId": id, "accountType": "", "email": "", "publicName": "Unknown user",
		"displayName": "Unknown user", "_expandable": map[string]any{}, "_links": map[string]any{}}
}

func (q *req) groupV1(id string) map[string]any {
	return map[string]any{"type": "group", "name": q.ix.groupName(id), "id": id,
		"_links": map[string]any{"self": q.base() + "/rest/api/group/by-id?id=" + id}}
}

// restrictionTarget finds the page, blog post or folder of a restriction
// call; 404 when the caller may not view it.
func (q *req) restrictionTarget() (*Content, *reply) {
	id := q.r.PathValue("id")
	c := q.ix.content[id]
	if c == nil || (c.Type != "page" && c.Type != "blogpost" && c.Type != "folder") || !q.ix.canView(q.c, c) {
		return nil, ref(q.notFound("No content found with id: " + id))
	}
	return c, nil
}

func restrictionLists(r Restrictions, op string) (users, groups []string) {
	switch op {
	case "read":
		return r.ReadUsers, r.ReadGroups
	case "update":
		return r.UpdateUsers, r.UpdateGroups
	}
	return nil, nil
}

// expands reads the expand parameter, def when absent.
func (q *req) expands(def ...string) map[string]bool {
	set := map[string]bool{}
	vals := q.listParam("expand")
	if _, given := q.r.URL.Query()["expand"]; !given {
		vals = def
	}
	for _, v := range vals {
		set[v] = true
	}
	return set
}

// restrictionV1 is one ContentRestriction of the content id: the direct
// restrictions of op, users and groups each paginated by start/limit,
// each with `_links.next` (the byOperation route, context-relative) when
// more remain.
func (q *req) restrictionV1(id, op string, users, groups []string, ex map[string]bool, start, limit int) map[string]any {
	rs := map[string]any{}
	expandable := map[string]any{}
	route := "/rest/api/content/" + id + "/restriction/byOperation/" + op
	next := func(what string) func(int) string {
		return func(n int) string {
			return route + "?expand=restrictions." + what + "&start=" + strconv.Itoa(n) + "&limit=" + strconv.Itoa(limit)
		}
	}
	if ex["restrictions.user"] || ex[op+".restrictions.user"] {
		rs["user"] = subList(users, start, limit, q.userOrUnknownV1, next("user"))
	} else {
		expandable["user"] = route + "/user"
	}
	if ex["restrictions.group"] || ex[op+".restrictions.group"] {
		rs["group"] = subList(groups, start, limit, q.groupV1, next("group"))
	} else {
		expandable["group"] = route + "/group"
	}
	if len(expandable) > 0 {
		rs["_expandable"] = expandable
	}
	return map[string]any{
		"operation": op, "restrictions": rs,
		"_expandable": map[string]any{"content": "/rest/api/content/" + id},
		"_links":      map[string]any{"base": q.base(), "context": "/wiki", "self": q.base() + route},
	}
}

// subList is a {results, start, limit, size} slice of ids, with
// `_links.next` (next of the following start) when more remain.
func subList(ids []string, start, limit int, render func(string) map[string]any, next func(int) string) map[string]any {
	lo := min(start, len(ids))
	hi := min(len(ids), lo+limit)
	res := make([]any, 0, hi-lo)
	for _, id := range ids[lo:hi] {
		res = append(res, render(id))
	}
	m := map[string]any{"results": res, "start": start, "limit": limit, "size": len(res)}
	if hi < len(ids) {
		m["_links"] = map[string]any{"next": next(hi)}
	}
	return m
}

// restrictionRequest reads what the restriction routes share: the target
// (restrictionTarget); start (0) and limit (default 100, capped at 100),
// which apply to the users and the groups alike; and the expansions
// (default the users and the groups). render is one operation's
// ContentRestriction (restrictionV1), with the content when expanded.
func (q *req) restrictionRequest() (c *Content, start, limit int, render func(op string) map[string]any, bad *reply) {
	if c, bad = q.restrictionTarget(); bad != nil {
		return nil, 0, 0, nil, bad
	}
	if start, limit, bad = q.startLimit(100, 100, false); bad != nil {
		return nil, 0, 0, nil, bad
	}
	ex := q.expands("restrictions.user", "restrictions.group")
	render = func(op string) map[string]any {
		users, groups := restrictionLists(c.Restrictions, op)
		m := q.restrictionV1(c.ID, op, users, groups, ex, start, limit)
		if ex["content"] {
			m["_expandable"] = map[string]any{}
			m["content"] = q.contentV1(c)
		}
		return m
	}
	return c, start, limit, render, nil
}

func restrictionsHash(c *Content) string {
	r := c.Restrictions
	h := sha256.Sum256([]byte(strings.Join([]string{strings.Join(r.ReadUsers, ","), strings.Join(r.ReadGroups, ","),
		strings.Join(r.UpdateUsers, ","), strings.Join(r.UpdateGroups, ",")}, "|")))
	return hex.EncodeToString(h[:16])
}

// GET /wiki/rest/api/content/{id}/restriction
func (q *req) v1Restriction() reply {
	c, start, limit, render, bad := q.restrictionRequest()
	if bad != nil {
		return *bad
	}
	return q.ok(map[string]any{
		"results": []any{render("read"), render("update")},
		"start":   start, "limit": limit, "size": 2,
		"restrictionsHash": restrictionsHash(c),
		"_links":           q.v1Links(""),
	})
}

// GET /wiki/rest/api/content/{id}/restriction/byOperation
func (q *req) v1RestrictionByOperation() reply {
	_, _, _, render, bad := q.restrictionRequest()
	if bad != nil {
		return *bad
	}
	return q.ok(map[string]any{
		"read":   render("read"),
		"update": render("update"),
		"_links": q.v1Links(""),
	})
}

// restrictionOps are the operationKey values the v1 document allows on
// the byOperation/{operationKey} route; the other ContentRestriction
// operations are a 400 there.
var restrictionOps = []string{"read", "update"}

// GET /wiki/rest/api/content/{id}/restriction/byOperation/{operationKey}
func (q *req) v1RestrictionForOperation() reply {
	op := q.r.PathValue("operationKey")
	if !slices.Contains(restrictionOps, op) {
		return q.badRequest("Invalid operation key: " + op)
	}
	_, _, _, render, bad := q.restrictionRequest()
	if bad != nil {
		return *bad
	}
	return q.ok(render(op))
}

// contentV1 is a minimal v1 Content.
func (q *req) contentV1(c *Content) map[string]any {
	typ := c.Type
	m := map[string]any{"id": c.ID, "type": typ, "status": c.Status, "title": c.Title,
		"_expandable": map[string]any{"space": ""},
		"_links":      map[string]any{"webui": q.ix.webui(c), "self": q.base() + "/rest/api/content/" + c.ID, "tinyui": tinyui(c.ID)}}
	if s := q.ix.spaceOf(c); s != nil {
		m["_expandable"] = map[string]any{"space": "/rest/api/space/" + s.Key}
	}
	return m
}

// GET /wiki/rest/api/group: alphabetical, start/limit (200, capped).
func (q *req) v1Groups() reply {
	start, limit, bad := q.startLimit(200, 200, false)
	if bad != nil {
		return *bad
	}
	gs := slices.Clone(q.ix.t.Groups)
	slices.SortFunc(gs, func(a, b *Group) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return q.ok(pageV1(q, gs, start, limit, func(g *Group) any { return q.groupV1(g.ID) }))
}

// GET /wiki/rest/api/group/by-id?id=
func (q *req) v1GroupByID() reply {
	g := q.ix.groups[q.r.URL.Query().Get("id")]
	if g == nil {
		return q.notFound("Group not found")
	}
	return q.ok(q.groupV1(g.ID))
}

// GET /wiki/rest/api/group/{groupId}/membersByGroupId: limit default 200,
// 400 over 200; a deleted or unknown group is 404.
func (q *req) v1GroupMembers() reply {
	g := q.ix.groups[q.r.PathValue("groupId")]
	start, limit, bad := q.startLimit(200, 200, true)
	if bad != nil {
		return *bad
	}
	if g == nil {
		return q.notFound("Group not found")
	}
	m := pageV1(q, g.Members, start, limit, func(id string) any { return q.userOrUnknownV1(id) })
	if q.boolParam("shouldReturnTotalSize", false) {
		m["totalSize"] = len(g.Members)
	}
	return q.ok(m)
}

// GET /wiki/rest/api/user?accountId= (deactivated accounts included).
func (q *req) v1User() reply {
	id := q.r.URL.Query().Get("accountId")
	if id == "" {
		return q.badRequest("accountId is required")
	}
	u := q.ix.users[id]
	if u == nil {
		return q.notFound("No user found with accountId: " + id)
	}
	return q.ok(q.userV1(u))
}

// GET /wiki/rest/api/user/current
func (q *req) v1CurrentUser() reply {
	if q.c.user == nil {
		return q.ok(map[string]any{"type": "anonymous", "displayName": "Anonymous",
			"profilePicture": map[string]any{"path": "/wiki/s/default.png", "width": 48, "height": 48, "isDefault": true},
			"_links":         map[string]any{"self": q.base() + "/rest/api/user/anonymous"}, "_expandable": map[string]any{}})
	}
	return q.ok(q.userV1(q.c.user))
}

// GET /wiki/rest/api/user/bulk?accountId=…: the first 200 ids; unknown
// ids are left out.
func (q *req) v1UsersBulk() reply {
	ids := q.listParam("accountId")
	if len(ids) == 0 {
		return q.badRequest("accountId is required")
	}
	if len(ids) > 200 {
		ids = ids[:200]
	}
	var found []*User
	for _, id := range ids {
		if u := q.ix.users[id]; u != nil {
			found = append(found, u)
		}
	}
	m := pageV1(q, found, 0, 200, func(u *User) any { return q.userV1(u) })
	return q.ok(m)
}

// GET /wiki/rest/api/user/memberof?accountId=
func (q *req) v1MemberOf() reply {
	id := q.r.URL.Query().Get("accountId")
	if q.ix.users[id] == nil {
		return q.notFound("No user found with accountId: " + id)
	}
	start, limit, bad := q.startLimit(200, 200, false)
	if bad != nil {
		return *bad
	}
	return q.ok(pageV1(q, q.ix.groupsOf[id], start, limit, func(g string) any { return q.groupV1(g) }))
}

// spaceV1 is a v1 Space; with expand=permissions its permissions.
func (q *req) spaceV1(s *Space, ex map[string]bool) map[string]any {
	id, _ := strconv.ParseInt(s.ID, 10, 64)
	m := map[string]any{"id": id, "key": s.Key, "name": s.Name, "type": s.Type, "status": s.Status,
		"_expandable": map[string]any{"settings": "/rest/api/space/" + s.Key + "/settings", "metadata": "", "operations": "",
			"lookAndFeel": "/rest/api/settings/lookandfeel?spaceKey=" + s.Key, "identifiers": "", "permissions": "",
			"icon": "", "description": "", "theme": "/rest/api/space/" + s.Key + "/theme", "history": "",
			"homepage": "/rest/api/content/" + s.HomepageID},
		"_links": map[string]any{"webui": "/spaces/" + s.Key, "self": q.base() + "/rest/api/space/" + s.Key}}
	if ex["permissions"] {
		delete(m["_expandable"].(map[string]any), "permissions")
		perms := make([]any, 0, len(s.Permissions))
		for _, p := range s.Permissions {
			pid, _ := strconv.ParseInt(p.ID, 10, 64)
			e := map[string]any{"id": pid, "operation": map[string]any{"operation": p.Key, "targetType": p.TargetType},
				"anonymousAccess": false, "unlicensedAccess": false}
			switch p.PrincipalType {
			case "user":
				e["subjects"] = map[string]any{"user": map[string]any{"results": []any{q.userOrUnknownV1(p.PrincipalID)}, "size": 1}}
			case "group":
				e["subjects"] = map[string]any{"group": map[string]any{"results": []any{q.groupV1(p.PrincipalID)}, "size": 1}}
			case "role":
				e["anonymousAccess"] = p.PrincipalID == "ANONYMOUS"
			}
			perms = append(perms, e)
		}
		m["permissions"] = perms
	}
	return m
}

// GET /wiki/rest/api/space (deprecated, still answering). With
// Options.SpaceShortPages, pages come back shorter than limit although
// more follow.
func (q *req) v1Spaces() reply {
	start, limit, bad := q.startLimit(25, 250, false)
	if bad != nil {
		return *bad
	}
	keys := q.listParam("spaceKey")
	typ := q.r.URL.Query().Get("type")
	status := q.r.URL.Query().Get("status")
	var spaces []*Space
	for _, s := range q.ix.t.Spaces {
		if q.ix.canViewSpace(q.c, s) && (len(keys) == 0 || slices.Contains(keys, s.Key)) &&
			(typ == "" || typ == s.Type) && (status == "" || status == s.Status) {
			spaces = append(spaces, s)
		}
	}
	ex := q.expands()
	serve := limit
	if q.s.opts.SpaceShortPages && limit > 1 {
		serve = max(1, limit-1-start%2)
	}
	m := pageV1(q, spaces, start, serve, func(s *Space) any { return q.spaceV1(s, ex) })
	m["limit"] = limit
	if start+serve < len(spaces) {
		m["_links"].(map[string]any)["next"] = q.nextV1(start+serve, limit)
	}
	return q.ok(m)
}

// GET /wiki/rest/api/space/{spaceKey}
func (q *req) v1Space() reply {
	s := q.ix.spacesByKey[q.r.PathValue("spaceKey")]
	if !q.ix.canViewSpace(q.c, s) {
		return q.notFound("No space with key : " + q.r.PathValue("spaceKey"))
	}
	return q.ok(q.spaceV1(s, q.expands()))
}
