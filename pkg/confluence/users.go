package confluence

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// usersBulkMax is the most account ids POST /users-bulk accepts.
const usersBulkMax = 250

// groupMembersMax is the most members one call returns (400 above).
const groupMembersMax = 200

// Users returns the accounts with the given ids (POST
// /wiki/api/v2/users-bulk, in batches of 250). Empty and repeated ids are
// skipped; unknown accounts are simply absent from the result. Email is ""
// where privacy hides it.
func (c *Client) Users(ctx context.Context, accountIDs []string) ([]User, error) {
	var out []User
	for batch := range batches(accountIDs, usersBulkMax) {
		body, err := json.Marshal(map[string][]string{"accountIds": batch})
		if err != nil {
			return nil, fmt.Errorf("get users: %w", err)
		}
		r := request{method: http.MethodPost, target: "/wiki/api/v2/users-bulk", body: body}
		lp, err := getJSON[listPage[User]](ctx, c, r)
		if err == nil {
			err = checkRows(r, lp.Results, nil)
		}
		if err != nil {
			return nil, fmt.Errorf("get %d users: %w", len(batch), err)
		}
		out = append(out, lp.Results...)
	}
	return out, nil
}

// batches yields the distinct non-empty ids in slices of at most n.
func batches(ids []string, n int) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		seen := map[string]bool{}
		var batch []string
		for _, id := range ids {
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			if batch = append(batch, id); len(batch) == n {
				if !yield(batch) {
					return
				}
				batch = nil
			}
		}
		if len(batch) > 0 {
			yield(batch)
		}
	}
}

// GroupMembers streams the members of a group
// (GET /wiki/rest/api/group/{groupId}/membersByGroupId, at most 200 a
// call, following _links.next).
func (c *Client) GroupMembers(ctx context.Context, groupID string) iter.Seq2[User, error] {
	q := url.Values{"start": {"0"}, "limit": {c.limit(groupMembersMax)}}
	target := withQuery("/wiki/rest/api/group/"+seg(groupID)+"/membersByGroupId", q)
	return list[User](c, ctx, "list members of group "+groupID, target, nil)
}

// Groups streams the groups of the site (GET /wiki/rest/api/group, at most
// 200 a call).
func (c *Client) Groups(ctx context.Context) iter.Seq2[Group, error] {
	q := url.Values{"start": {"0"}, "limit": {c.limit(groupMembersMax)}}
	return list[Group](c, ctx, "list groups", withQuery("/wiki/rest/api/group", q), nil)
}

// Group reads a group by id (GET /wiki/rest/api/group/by-id?id=).
func (c *Client) Group(ctx context.Context, groupID string) (Group, error) {
	r := get(withQuery("/wiki/rest/api/group/by-id", url.Values{"id": {groupID}}))
	return getItem[Group](ctx, c, r, "get group "+groupID)
}
