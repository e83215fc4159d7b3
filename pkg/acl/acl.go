// Package acl decides who may read a Confluence item and writes the answer
// as a compact ACL. It is pure: the caller fetches the space's view grants,
// the read restrictions of the item and of its ancestors, and the groups
// and accounts they name; this package does no I/O.
//
// # The rule
//
// An account may read an item when all of these hold:
//
//   - the account is active (a deactivated or closed account cannot sign in
//     and is never listed);
//   - the account may view the space: the space grants read/space to the
//     account, or to a group the account is a member of, or to anonymous
//     users — on a site with anonymous access every signed-in account may
//     view such a space as well;
//   - for every node on the item's path (the item itself and each ancestor
//     page or folder) whose read restriction is not empty, the restriction
//     names the account or a group the account is a member of.
//
// An empty restriction imposes nothing; update (edit) restrictions never
// limit viewing and are not an input. A group id that names a deleted or
// unknown group admits nobody. Blog posts have no ancestors; comments and
// attachments take their container's result (pass the container's chain).
//
// An item is public when its space grants anonymous read and no node on its
// path is restricted: then anyone, signed in or not, may read it. A
// restricted item in an anonymous space is not public: its readers are the
// active accounts that pass every restriction (every signed-in account may
// view the space, so the space itself removes nobody).
//
// # The compact form, and how a consumer expands it
//
// [Evaluate] computes the exact set of allowed accounts, then lists each
// group relevant to the item (granted on the space or named by one of the
// restrictions) that has at least one active member and all of whose active
// members are allowed, and lists every other allowed account on its own.
// A consumer recovers the exact set as
//
//	allowed = acl.account_ids ∪ ⋃_{g in acl.groups} members(g)
//
// where members(g) are the members published with the ACL (the Groups of
// proto.DocumentReady, written by the file sink as
// identities/groups/<id>.json): those lists hold active members only.
// When acl.public is true the item is readable by everyone and the lists
// are empty. [Expand] implements exactly this.
package acl

import (
	"maps"
	"slices"

	"github.com/conflux-dev/conflux/proto"
)

// Principals is a set of accounts and groups: a space's read grants or one
// node's read restriction.
type Principals struct {
	// Users are account ids.
	Users []string
	// Groups are group ids; an id of a deleted or unknown group admits
	// nobody.
	Groups []string
}

// Empty reports whether p names nobody. An empty read restriction imposes
// nothing.
func (p Principals) Empty() bool { return len(p.Users) == 0 && len(p.Groups) == 0 }

// Space is who may view a space: its read/space grants.
type Space struct {
	Principals
	// Anonymous is true when the space grants read to anonymous users
	// (principal role ANONYMOUS).
	Anonymous bool
}

// Group is a group with its members (account ids).
type Group struct {
	ID      string
	Name    string
	Members []string
}

// Directory answers what the rule needs to know about groups and accounts.
type Directory interface {
	// Group returns a group by id; false for a deleted or unknown group.
	Group(id string) (Group, bool)
	// Active reports whether an account exists and may sign in.
	Active(accountID string) bool
}

// Static is a Directory held in memory.
type Static struct {
	// Groups are the existing groups by id; an id not here names a
	// deleted or unknown group.
	Groups map[string]Group
	// Accounts maps an account id to whether it is active; an account not
	// here is not active.
	Accounts map[string]bool
}

// Group implements Directory.
func (s Static) Group(id string) (Group, bool) {
	g, ok := s.Groups[id]
	return g, ok
}

// Active implements Directory.
func (s Static) Active(accountID string) bool { return s.Accounts[accountID] }

// Result is the exact answer for one item and its compact form.
type Result struct {
	// Public is true when anyone, signed in or not, may read the item;
	// then Allowed, Groups and Accounts are empty.
	Public bool
	// Allowed is the exact set of active accounts that may read the item,
	// sorted.
	Allowed []string
	// Groups are the listed groups, sorted by id, each with its active
	// members only (sorted): every one of them is allowed.
	Groups []Group
	// Accounts are the allowed accounts that no listed group covers,
	// sorted.
	Accounts []string
}

// Evaluate applies the rule to one item. restrictions are the read
// restrictions of the item and of each of its ancestors, in any order;
// empty ones impose nothing. Its cost is linear in the number of members
// of the groups involved.
func Evaluate(space Space, restrictions []Principals, dir Directory) Result {
	e := evaluation{dir: dir, groups: map[string]Group{}}
	allowed, public := e.allowed(space, restrictions)
	if public {
		return Result{Public: true}
	}
	groups, accounts := e.compact(allowed, space, restrictions)
	return Result{Allowed: sorted(allowed), Groups: groups, Accounts: accounts}
}

type set = map[string]struct{}

// evaluation memoises group look-ups for one call.
type evaluation struct {
	dir    Directory
	groups map[string]Group // known groups, active members only
}

// group returns a group with its active members; false when it does not
// exist.
func (e *evaluation) group(id string) (Group, bool) {
	if g, ok := e.groups[id]; ok {
		return g, true
	}
	g, ok := e.dir.Group(id)
	if !ok {
		return Group{}, false
	}
	active := make(set, len(g.Members))
	for _, m := range g.Members {
		if e.dir.Active(m) {
			active[m] = struct{}{}
		}
	}
	g.Members = sorted(active)
	e.groups[id] = g
	return g, true
}

// admitted returns the active accounts p names directly or through a group.
func (e *evaluation) admitted(p Principals) set {
	out := set{}
	for _, u := range p.Users {
		if e.dir.Active(u) {
			out[u] = struct{}{}
		}
	}
	for _, id := range p.Groups {
		g, _ := e.group(id)
		for _, m := range g.Members {
			out[m] = struct{}{}
		}
	}
	return out
}

// allowed computes the exact set; public when nothing restricts an
// anonymous space.
func (e *evaluation) allowed(space Space, restrictions []Principals) (set, bool) {
	var allowed set // nil: every active account
	if !space.Anonymous {
		allowed = e.admitted(space.Principals)
	}
	for _, r := range restrictions {
		if r.Empty() {
			continue
		}
		admitted := e.admitted(r)
		if allowed == nil {
			allowed = admitted
			continue
		}
		maps.DeleteFunc(allowed, func(u string, _ struct{}) bool {
			_, ok := admitted[u]
			return !ok
		})
	}
	if allowed == nil {
		return nil, true
	}
	return allowed, false
}

// compact lists the relevant groups wholly inside allowed and the rest of
// allowed as accounts.
func (e *evaluation) compact(allowed set, space Space, restrictions []Principals) ([]Group, []string) {
	candidates := set{}
	for _, id := range space.Groups {
		candidates[id] = struct{}{}
	}
	for _, r := range restrictions {
		for _, id := range r.Groups {
			candidates[id] = struct{}{}
		}
	}
	rest := maps.Clone(allowed)
	var listed []Group
	for _, id := range sorted(candidates) {
		g, ok := e.group(id)
		if !ok || len(g.Members) == 0 || !within(g.Members, allowed) {
			continue
		}
		listed = append(listed, g)
		for _, m := range g.Members {
			delete(rest, m)
		}
	}
	return listed, sorted(rest)
}

func within(members []string, s set) bool {
	for _, m := range members {
		if _, ok := s[m]; !ok {
			return false
		}
	}
	return true
}

func sorted(s set) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(s))
}

// ACL renders the result as the document's ACL. email returns an
// account's email, or "" when none is known; Users holds the emails of the
// listed accounts that have one (sorted, without duplicates) and
// AccountIDs every listed account, with or without an email. Slices are
// never nil, so that the JSON form shows [] rather than null.
func (r Result) ACL(email func(accountID string) string) proto.ACL {
	a := proto.ACL{
		Public:     r.Public,
		Users:      []string{},
		AccountIDs: append([]string{}, r.Accounts...),
		Groups:     make([]string, 0, len(r.Groups)),
		GroupNames: make([]string, 0, len(r.Groups)),
	}
	emails := set{}
	for _, id := range r.Accounts {
		if m := email(id); m != "" {
			emails[m] = struct{}{}
		}
	}
	if len(emails) > 0 {
		a.Users = sorted(emails)
	}
	for _, g := range r.Groups {
		a.Groups = append(a.Groups, g.ID)
		a.GroupNames = append(a.GroupNames, g.Name)
	}
	return a
}
