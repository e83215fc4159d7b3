package confluencesim

import "slices"

// caller is who a request runs as.
type caller struct {
	user *User // nil for an anonymous caller
	all  bool  // a Tenant.Crawlers account: sees everything
}

func (ix *index) callerFor(u *User) caller {
	if u == nil {
		return caller{}
	}
	return caller{user: u, all: ix.crawlers[u.AccountID]}
}

// canViewSpace: a read/space grant to the user, to one of its groups, or
// to role ANONYMOUS (which logged-in users see as well).
func (ix *index) canViewSpace(c caller, s *Space) bool {
	if s == nil {
		return false
	}
	if c.all {
		return true
	}
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
			if c.user != nil && p.PrincipalID == c.user.AccountID {
				return true
			}
		case "group":
			if c.user != nil && ix.inGroup(c.user.AccountID, p.PrincipalID) {
				return true
			}
		}
	}
	return false
}

func (ix *index) inGroup(accountID, groupID string) bool {
	return slices.Contains(ix.groupsOf[accountID], groupID)
}

// admits reports whether a read restriction lets the caller through; an
// empty restriction admits everybody.
func (ix *index) admits(c caller, r Restrictions) bool {
	if len(r.ReadUsers) == 0 && len(r.ReadGroups) == 0 {
		return true
	}
	if c.user == nil {
		return false
	}
	if slices.Contains(r.ReadUsers, c.user.AccountID) {
		return true
	}
	for _, g := range r.ReadGroups {
		if ix.inGroup(c.user.AccountID, g) {
			return true
		}
	}
	return false
}

// canView applies the permission rule: the caller may view the space, and
// the read restrictions of the item and of every page or folder above it
// admit the caller. Update restrictions never grant or deny view (the
// reference leaves "does an update restriction grant view" UNCONFIRMED; the
// simulator reads view strictly from read restrictions). Comments take the
// permissions of their container. The walk follows the stored parent even
// for a trashed item.
func (ix *index) canView(c caller, x *Content) bool {
	if x == nil {
		return false
	}
	if x.Type == "comment" {
		k := ix.container(x)
		if k == nil {
			return false
		}
		x = k
	}
	if !ix.canViewSpace(c, ix.spaces[x.SpaceID]) {
		return false
	}
	if c.all {
		return true
	}
	if !ix.admits(c, x.Restrictions) {
		return false
	}
	seen := map[string]bool{x.ID: true}
	for p := ix.parentOf(x); p != nil && !seen[p.ID]; p = ix.parentOf(p) {
		seen[p.ID] = true
		if !ix.admits(c, p.Restrictions) {
			return false
		}
	}
	return true
}

// canViewAttachment: attachments take their container's permissions.
func (ix *index) canViewAttachment(c caller, a *Attachment) bool {
	return a != nil && ix.canView(c, ix.content[a.ContainerID])
}
