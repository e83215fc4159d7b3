package confluencesim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
)

// The permission check (POST /wiki/rest/api/content/{id}/permission/check,
// v1 operation checkContentPermission): may a user or a group perform an
// operation on a content item? It applies the same rule as every other
// endpoint (site access, space view, the read restrictions of the item and
// of each ancestor; comments and attachments take their container's).
//
// Who may ask: any signed-in caller about itself ('Can use'); about another
// user or a group only a Tenant.Admins account ('Confluence
// Administrator'), otherwise 403. The body is validated strictly: missing
// subject or operation, an operation outside read/update/delete, a subject
// type outside user/group, an empty identifier or one naming no account or
// group is a 400. An unknown content id is a 404.
//
// Choices where the reference is silent (UNCONFIRMED): the wording of the
// 403 and 400 messages; a caller asking about itself gets an answer for
// content it cannot view (false, not 404); "update" and "delete" are view
// and the item's own update restriction (edit restrictions are not
// inherited); a deactivated account gets false with "User is not allowed
// to use Confluence".

// permissionCheckRequest is ContentPermissionRequest.
type permissionCheckRequest struct {
	Subject *struct {
		Type       string `json:"type"`
		Identifier string `json:"identifier"`
	} `json:"subject"`
	Operation *string `json:"operation"`
}

// Error messages of PermissionCheckResponse.errors, as the spec lists them.
const (
	msgUserCannotUse     = "User is not allowed to use Confluence"
	msgUserNoSpace       = "User does not have permission to the space"
	msgUserNoContent     = "User does not have permission to the content"
	msgAnonNoSpace       = "Anonymous user does not have permission to the space"
	msgAnonNoContent     = "Anonymous user does not have permission to the content"
	msgGroupNoSpace      = "Group does not have permission to the space"
	msgGroupNoContent    = "Group does not have permission to the content"
	anonymousIdentifier  = "anonymous"
	permissionCheckLimit = 64 << 10
)

func (q *req) v1PermissionCheck() reply {
	in, bad := q.permissionCheckBody()
	if bad != nil {
		return *bad
	}
	target, kind := q.permissionTarget(q.r.PathValue("id"))
	if target == nil {
		return q.notFound("No content found with id: " + q.r.PathValue("id"))
	}
	subject := in.Subject
	self := subject.Type == "user" && q.c.user != nil && subject.Identifier == q.c.user.AccountID
	if !self && (q.c.user == nil || !q.ix.admins[q.c.user.AccountID]) {
		return q.fail(http.StatusForbidden, "The calling user does not have permission to check permissions of other users or groups: 'Confluence Administrator' global permission required")
	}
	var msg string
	switch subject.Type {
	case "group":
		g := q.ix.groups[subject.Identifier]
		if g == nil {
			return q.badRequest("Invalid subject: no group with id " + subject.Identifier)
		}
		msg = q.ix.groupCheck(g.ID, target, *in.Operation, kind)
	default:
		c, ok := q.subjectCaller(subject.Identifier)
		if !ok {
			return q.badRequest("Invalid subject: no user with accountId " + subject.Identifier)
		}
		msg = q.ix.userCheck(c, target, *in.Operation, kind)
	}
	errs := []any{}
	if msg != "" {
		errs = append(errs, map[string]any{"translation": msg, "args": []any{}})
	}
	return q.ok(map[string]any{"hasPermission": msg == "", "errors": errs})
}

// permissionCheckBody reads and validates the request body.
func (q *req) permissionCheckBody() (permissionCheckRequest, *reply) {
	var in permissionCheckRequest
	b, err := io.ReadAll(io.LimitReader(q.r.Body, permissionCheckLimit))
	if err != nil {
		return in, ref(q.badRequest("Invalid request body"))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, ref(q.badRequest("Invalid request body: " + err.Error()))
	}
	switch {
	case in.Subject == nil:
		return in, ref(q.badRequest("subject is required"))
	case in.Operation == nil || *in.Operation == "":
		return in, ref(q.badRequest("operation is required"))
	case !slices.Contains([]string{"read", "update", "delete"}, *in.Operation):
		return in, ref(q.badRequest("Invalid operation: " + *in.Operation + " (read, update or delete)"))
	case in.Subject.Type != "user" && in.Subject.Type != "group":
		return in, ref(q.badRequest("Invalid subject type: " + in.Subject.Type + " (user or group)"))
	case in.Subject.Identifier == "":
		return in, ref(q.badRequest("subject.identifier is required"))
	}
	return in, nil
}

// permissionTarget finds the content of a check: a page, blog post,
// folder or comment, or an attachment ("att123" or "123"). For an
// attachment it returns its container (attachments take their container's
// permissions) with kind "attachment".
func (q *req) permissionTarget(id string) (*Content, string) {
	if c := q.ix.content[id]; c != nil {
		return c, c.Type
	}
	if a := q.ix.attachment(id); a != nil {
		return q.ix.content[a.ContainerID], "attachment"
	}
	return nil, ""
}

// subjectCaller is the caller a user subject stands for; false when no
// such account exists.
func (q *req) subjectCaller(identifier string) (caller, bool) {
	if identifier == anonymousIdentifier {
		return caller{}, true
	}
	u := q.ix.users[identifier]
	if u == nil {
		return caller{}, false
	}
	return q.ix.callerFor(u), true
}

// userCheck returns "" when the user may perform op on x, else the reason.
func (ix *index) userCheck(c caller, x *Content, op, kind string) string {
	if c.user != nil && !c.user.Active {
		return msgUserCannotUse
	}
	noSpace, noContent := msgUserNoSpace, msgUserNoContent
	if c.user == nil {
		noSpace, noContent = msgAnonNoSpace, msgAnonNoContent
	}
	k := x
	if x.Type == "comment" {
		if k = ix.container(x); k == nil {
			return noContent
		}
	}
	switch {
	case !ix.canViewSpace(c, ix.spaces[k.SpaceID]):
		return noSpace
	case !ix.canView(c, x):
		return noContent
	case op != "read" && kind != "attachment" && !c.all && !ix.admits(c, updateOnly(k.Restrictions)):
		return noContent
	}
	return ""
}

// groupCheck returns "" when the group itself is granted op on x: the
// space grants it view (or anonymous users), and every read restriction on
// the path names it.
func (ix *index) groupCheck(groupID string, x *Content, op, kind string) string {
	if x.Type == "comment" {
		if x = ix.container(x); x == nil {
			return msgGroupNoContent
		}
	}
	if !ix.groupViewsSpace(groupID, ix.spaces[x.SpaceID]) {
		return msgGroupNoSpace
	}
	admits := func(r Restrictions) bool {
		return len(r.ReadUsers) == 0 && len(r.ReadGroups) == 0 || slices.Contains(r.ReadGroups, groupID)
	}
	if !admits(x.Restrictions) {
		return msgGroupNoContent
	}
	seen := map[string]bool{x.ID: true}
	for p := ix.parentOf(x); p != nil && !seen[p.ID]; p = ix.parentOf(p) {
		seen[p.ID] = true
		if !admits(p.Restrictions) {
			return msgGroupNoContent
		}
	}
	u := x.Restrictions
	if op != "read" && kind != "attachment" && (len(u.UpdateUsers) > 0 || len(u.UpdateGroups) > 0) && !slices.Contains(u.UpdateGroups, groupID) {
		return msgGroupNoContent
	}
	return ""
}

// groupViewsSpace: a read/space grant to the group or to role ANONYMOUS.
func (ix *index) groupViewsSpace(groupID string, s *Space) bool {
	if s == nil {
		return false
	}
	for _, p := range s.Permissions {
		if p.Key != "read" || p.TargetType != "space" {
			continue
		}
		if p.PrincipalType == "group" && p.PrincipalID == groupID || p.PrincipalType == "role" && p.PrincipalID == "ANONYMOUS" {
			return true
		}
	}
	return false
}

// updateOnly turns an item's update restriction into a read-shaped one,
// for admits.
func updateOnly(r Restrictions) Restrictions {
	return Restrictions{ReadUsers: r.UpdateUsers, ReadGroups: r.UpdateGroups}
}
