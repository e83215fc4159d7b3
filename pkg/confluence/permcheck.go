package confluence

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Subject types of a permission check.
const (
	SubjectUser  = "user"
	SubjectGroup = "group"
	// Anonymous is the identifier of the anonymous user in a check.
	Anonymous = "anonymous"
)

// Subject is who a permission check asks about: Type SubjectUser with an
// account id (or Anonymous), or SubjectGroup with a group id.
type Subject struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
}

// PermissionCheck is Confluence's answer: whether the subject may perform
// the operation, and, when not, why (e.g. "User does not have permission
// to the content").
type PermissionCheck struct {
	HasPermission bool
	Errors        []string
}

type permissionCheckJSON struct {
	HasPermission *bool `json:"hasPermission"`
	Errors        []struct {
		Translation string `json:"translation"`
		Key         string `json:"key"`
	} `json:"errors"`
}

// CheckPermission asks Confluence whether subject may perform operation
// ("read", "update" or "delete") on a content item: page, blog post,
// folder, comment or attachment (POST
// /wiki/rest/api/content/{id}/permission/check). Confluence applies site
// access, space permissions and the read restrictions of the item and its
// ancestors. Asking about anyone but the calling account needs the
// 'Confluence Administrator' global permission: without it the call fails
// with an *Error of Status 403 (IsForbidden). One call, retried like every
// other request.
func (c *Client) CheckPermission(ctx context.Context, contentID string, subject Subject, operation string) (PermissionCheck, error) {
	body, err := json.Marshal(map[string]any{"subject": subject, "operation": operation})
	if err != nil {
		return PermissionCheck{}, fmt.Errorf("check permission on %s: %w", contentID, err)
	}
	r := request{method: http.MethodPost, target: "/wiki/rest/api/content/" + seg(contentID) + "/permission/check", body: body}
	v, err := getJSON[permissionCheckJSON](ctx, c, r)
	if err == nil && v.HasPermission == nil {
		err = invalid(r, "answer has no hasPermission")
	}
	if err != nil {
		return PermissionCheck{}, fmt.Errorf("check %s permission of %s %s on %s: %w", operation, subject.Type, subject.Identifier, contentID, err)
	}
	out := PermissionCheck{HasPermission: *v.HasPermission}
	for _, e := range v.Errors {
		out.Errors = append(out.Errors, cmp.Or(e.Translation, e.Key))
	}
	return out, nil
}

// IsForbidden reports whether err is a 403 answer: for a permission check,
// the calling account may not ask about other subjects.
func IsForbidden(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusForbidden
}
