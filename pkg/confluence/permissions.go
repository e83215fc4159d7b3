package confluence

import (
	"context"
	"fmt"
	"iter"
	"net/url"
)

// SpacePermissions streams the permission assignments of a space
// (GET /wiki/api/v2/spaces/{id}/permissions). View access is the rows with
// Operation {read, space}; anonymous access is the principal
// {role, ANONYMOUS}.
func (c *Client) SpacePermissions(ctx context.Context, spaceID string) iter.Seq2[SpacePermission, error] {
	target := "/wiki/api/v2/spaces/" + seg(spaceID) + "/permissions?limit=" + c.limit(250)
	return list[SpacePermission](c, ctx, "list permissions of space "+spaceID, target, nil)
}

// restrictionLimit is the v1 restriction page size (the API's default).
const restrictionLimit = 100

// v1Slice is a v1 start/limit collection inside another object.
type v1Slice[T any] struct {
	Results []T `json:"results"`
	Start   int `json:"start"`
	Limit   int `json:"limit"`
	Size    int `json:"size"`
}

// full reports whether the slice filled its page, so more may follow.
func (s v1Slice[T]) full(asked int) bool {
	n := len(s.Results)
	return n > 0 && (n >= asked || (s.Limit > 0 && n >= s.Limit))
}

type readRestriction struct {
	Operation    string `json:"operation"`
	Restrictions struct {
		User  v1Slice[User]  `json:"user"`
		Group v1Slice[Group] `json:"group"`
	} `json:"restrictions"`
}

// ReadRestrictions returns the read restriction set directly on a piece of
// content (GET /wiki/rest/api/content/{id}/restriction/byOperation/read),
// users and groups paged with start/limit to the end. Inherited
// restrictions are not included: ask for every ancestor too. An empty
// Restriction means the content has no read restriction of its own.
func (c *Client) ReadRestrictions(ctx context.Context, contentID string) (Restriction, error) {
	var out Restriction
	users, groups := map[string]bool{}, map[string]bool{}
	for start := 0; ; start += restrictionLimit {
		q := url.Values{"expand": {"restrictions.user,restrictions.group"},
			"start": {fmt.Sprint(start)}, "limit": {fmt.Sprint(restrictionLimit)}}
		r := get(withQuery("/wiki/rest/api/content/"+seg(contentID)+"/restriction/byOperation/read", q))
		rr, err := getJSON[readRestriction](ctx, c, r)
		if err == nil {
			err = checkRows(r, rr.Restrictions.User.Results, rr.Restrictions.Group.Results)
		}
		if err != nil {
			return Restriction{}, fmt.Errorf("get read restrictions of %s: %w", contentID, err)
		}
		added := 0
		for _, u := range rr.Restrictions.User.Results {
			if !users[u.AccountID] {
				users[u.AccountID] = true
				out.Users = append(out.Users, u)
				added++
			}
		}
		for _, g := range rr.Restrictions.Group.Results {
			if !groups[g.ID] {
				groups[g.ID] = true
				out.Groups = append(out.Groups, g)
				added++
			}
		}
		more := rr.Restrictions.User.full(restrictionLimit) || rr.Restrictions.Group.full(restrictionLimit)
		if !more || added == 0 {
			return out, nil
		}
	}
}

// checkRows checks the users and groups of an answer.
func checkRows(r request, users []User, groups []Group) error {
	for i, u := range users {
		if err := u.check(); err != nil {
			return invalid(r, "user %d %v", i, err)
		}
	}
	for i, g := range groups {
		if err := g.check(); err != nil {
			return invalid(r, "group %d %v", i, err)
		}
	}
	return nil
}
