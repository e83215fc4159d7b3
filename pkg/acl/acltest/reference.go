// Package acltest is the ground truth the ACL tests compare against: a
// brute-force evaluator that decides, account by account, whether an
// account may view an item of a simulated tenant, straight from the raw
// confluencesim.Tenant and independently of package acl. It is meant for
// tests only.
package acltest

import (
	"slices"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// Reference evaluates the permission rule of a tenant one account at a
// time. Build it with New; it reads the tenant as it was then.
type Reference struct {
	t           *confluencesim.Tenant
	content     map[string]*confluencesim.Content
	attachments map[string]*confluencesim.Attachment
	spaces      map[string]*confluencesim.Space
	groups      map[string]map[string]bool // existing group → its members
	users       map[string]*confluencesim.User
}

// New indexes a tenant. The tenant must not change while the Reference is
// in use.
func New(t *confluencesim.Tenant) *Reference {
	r := &Reference{
		t:           t,
		content:     map[string]*confluencesim.Content{},
		attachments: map[string]*confluencesim.Attachment{},
		spaces:      map[string]*confluencesim.Space{},
		groups:      map[string]map[string]bool{},
		users:       map[string]*confluencesim.User{},
	}
	for _, u := range t.Users {
		r.users[u.AccountID] = u
	}
	for _, c := range t.Content {
		r.content[c.ID] = c
	}
	for _, a := range t.Attachments {
		r.attachments[a.ID] = a
	}
	for _, s := range t.Spaces {
		r.spaces[s.ID] = s
	}
	for _, g := range t.Groups {
		r.groups[g.ID] = map[string]bool{}
		for _, m := range g.Members {
			r.groups[g.ID][m] = true
		}
	}
	return r
}

// CanView reports whether the account may read the item (a content or
// attachment id): the account is active, may view the item's space
// (directly, through a group, or because the space admits anonymous
// users, which every signed-in account then may as well), and is admitted
// by the read restriction of every node on the item's path that has one.
// It walks the tenant for every call.
func (r *Reference) CanView(accountID, itemID string) bool {
	u := r.user(accountID)
	if u == nil || !u.Active {
		return false
	}
	path, space := r.path(itemID)
	if space == nil || !r.spaceView(accountID, space) {
		return false
	}
	for _, c := range path {
		if !r.admits(c.Restrictions, accountID) {
			return false
		}
	}
	return true
}

// Public reports whether anyone, signed in or not, may read the item: its
// space grants anonymous read and no node on its path restricts reading.
func (r *Reference) Public(itemID string) bool {
	path, space := r.path(itemID)
	if space == nil || !anonymous(space) {
		return false
	}
	for _, c := range path {
		if len(c.Restrictions.ReadUsers) > 0 || len(c.Restrictions.ReadGroups) > 0 {
			return false
		}
	}
	return true
}

// Allowed returns the accounts that may read the item, sorted, asking
// CanView for every account of the tenant.
func (r *Reference) Allowed(itemID string) []string {
	var out []string
	for _, u := range r.t.Users {
		if r.CanView(u.AccountID, itemID) {
			out = append(out, u.AccountID)
		}
	}
	slices.Sort(out)
	return out
}

func (r *Reference) user(id string) *confluencesim.User { return r.users[id] }

// path returns the nodes whose read restrictions apply to an item: the
// item (or its container) and each parent up to the space root.
func (r *Reference) path(itemID string) ([]*confluencesim.Content, *confluencesim.Space) {
	id := itemID
	if a, ok := r.attachments[id]; ok {
		id = a.ContainerID
	}
	c, ok := r.content[id]
	if !ok {
		return nil, nil
	}
	for hops := 0; c.Type == "comment"; hops++ { // a reply names its parent comment, a root comment its container
		next := c.ContainerID
		if next == "" {
			next = c.ParentCommentID
		}
		if c, ok = r.content[next]; !ok || hops > 100 {
			return nil, nil
		}
	}
	space := r.spaces[c.SpaceID]
	var path []*confluencesim.Content
	for seen := map[string]bool{}; c != nil && !seen[c.ID]; c = r.content[c.ParentID] {
		seen[c.ID] = true
		path = append(path, c)
		if c.ParentID == "" {
			break
		}
	}
	return path, space
}

func anonymous(s *confluencesim.Space) bool {
	for _, p := range s.Permissions {
		if p.Key == "read" && p.TargetType == "space" && p.PrincipalType == "role" && p.PrincipalID == "ANONYMOUS" {
			return true
		}
	}
	return false
}

func (r *Reference) spaceView(accountID string, s *confluencesim.Space) bool {
	for _, p := range s.Permissions {
		if p.Key != "read" || p.TargetType != "space" {
			continue
		}
		switch p.PrincipalType {
		case "role":
			if p.PrincipalID == "ANONYMOUS" {
				return true
			}
		case "user":
			if p.PrincipalID == accountID {
				return true
			}
		case "group":
			if r.member(p.PrincipalID, accountID) {
				return true
			}
		}
	}
	return false
}

// admits reports whether a node's read restriction lets the account
// through; an unrestricted node lets everyone through. Update
// restrictions are ignored.
func (r *Reference) admits(res confluencesim.Restrictions, accountID string) bool {
	if len(res.ReadUsers) == 0 && len(res.ReadGroups) == 0 {
		return true
	}
	if slices.Contains(res.ReadUsers, accountID) {
		return true
	}
	for _, g := range res.ReadGroups {
		if r.member(g, accountID) {
			return true
		}
	}
	return false
}

// member reports whether the account is in an existing group; a deleted
// or unknown group has no members.
func (r *Reference) member(groupID, accountID string) bool {
	return r.groups[groupID][accountID]
}
