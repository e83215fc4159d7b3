package sink

import (
	"slices"

	"github.com/conflux-dev/conflux/proto"
)

// covers reports whether every reader of a document with ACL reader may
// read a document with ACL page, whose groups (with members) are groups:
// only then may the page's text be shown inside the document, since
// Confluence shows included content only to readers of the included page.
// A public page covers everyone; a public document is covered only by a
// public page; a group is covered only by the same group; an account by
// the same account or a group of the page that has it as a member; an
// email likewise.
func covers(page proto.ACL, groups []proto.Group, reader proto.ACL) bool {
	if page.Public {
		return true
	}
	if reader.Public {
		return false
	}
	for _, g := range reader.Groups {
		if !slices.Contains(page.Groups, g) {
			return false
		}
	}
	ids, emails := allowed(page, groups)
	for _, id := range reader.AccountIDs {
		if !ids[id] {
			return false
		}
	}
	for _, e := range reader.Users {
		if !emails[e] {
			return false
		}
	}
	return true
}

// allowed returns the accounts and emails an ACL admits, listed or as
// members of its groups.
func allowed(acl proto.ACL, groups []proto.Group) (ids, emails map[string]bool) {
	ids, emails = map[string]bool{}, map[string]bool{}
	for _, id := range acl.AccountIDs {
		ids[id] = true
	}
	for _, e := range acl.Users {
		emails[e] = true
	}
	for _, g := range groups {
		if !slices.Contains(acl.Groups, g.ID) {
			continue
		}
		for _, m := range g.Members {
			ids[m.AccountID] = true
			if m.Email != "" {
				emails[m.Email] = true
			}
		}
	}
	return ids, emails
}
