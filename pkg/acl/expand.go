package acl

import (
	"slices"

	"github.com/conflux-dev/conflux/proto"
)

// Expand is what a consumer of a document does with its ACL: it returns
// the accounts the ACL admits, account_ids ∪ the members of every listed
// group, sorted and without duplicates. members returns the members of a
// group as published with the ACL (proto.DocumentReady.Groups, or the
// file sink's identities/groups/<id>.json). For a public ACL it returns
// public=true and no accounts: everyone may read.
func Expand(a proto.ACL, members func(groupID string) []string) (accounts []string, public bool) {
	if a.Public {
		return nil, true
	}
	s := set{}
	for _, id := range a.AccountIDs {
		s[id] = struct{}{}
	}
	for _, g := range a.Groups {
		for _, m := range members(g) {
			s[m] = struct{}{}
		}
	}
	return sorted(s), false
}

// Members returns a members function over published groups, for Expand.
func Members(groups []proto.Group) func(groupID string) []string {
	byID := make(map[string][]string, len(groups))
	for _, g := range groups {
		ids := make([]string, 0, len(g.Members))
		for _, m := range g.Members {
			ids = append(ids, m.AccountID)
		}
		byID[g.ID] = ids
	}
	return func(id string) []string { return byID[id] }
}

// ProtoGroups renders the listed groups with their members as they travel with
// the document (proto.DocumentReady.Groups), in the ACL's order. email
// returns an account's email or "".
func (r Result) ProtoGroups(email func(accountID string) string) []proto.Group {
	out := make([]proto.Group, 0, len(r.Groups))
	for _, g := range r.Groups {
		pg := proto.Group{ID: g.ID, Name: g.Name, Members: make([]proto.GroupMember, 0, len(g.Members))}
		for _, m := range slices.Sorted(slices.Values(g.Members)) {
			pg.Members = append(pg.Members, proto.GroupMember{AccountID: m, Email: email(m)})
		}
		out = append(out, pg)
	}
	return out
}
