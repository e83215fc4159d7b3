package acl_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/pkg/acl/acltest"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// TestPropertyRandomTenants checks, over many random tenants, that the
// compact ACL of every item expands to exactly the accounts the brute-force
// reference admits, and that the compact form keeps its promises.
func TestPropertyRandomTenants(t *testing.T) {
	tenants := 400
	if testing.Short() {
		tenants = 50
	}
	var users, docs, pairs, public int
	for seed := range tenants {
		tn := randomTenant(rand.New(rand.NewPCG(uint64(seed), 7)))
		u, d, p, pub := checkTenant(t, fmt.Sprintf("seed %d", seed), tn)
		users, docs, pairs, public = users+u, docs+d, pairs+p, public+pub
	}
	t.Logf("%d tenants, %d users, %d documents (%d public), %d user×document decisions: 0 mismatches",
		tenants, users, docs, public, pairs)
}

// checkTenant compares every item of a tenant with the reference and
// returns the counts it checked.
func checkTenant(t *testing.T, name string, tn *confluencesim.Tenant) (users, docs, pairs, public int) {
	t.Helper()
	ref := acltest.New(tn)
	dir := directory(tn)
	visible := func(id string) string {
		for _, u := range tn.Users {
			if u.AccountID == id && !u.EmailHidden {
				return u.Email
			}
		}
		return ""
	}
	for _, id := range itemIDs(tn) {
		space, chain := inputs(tn, id)
		r := acl.Evaluate(space, chain, dir)
		a := r.ACL(visible)
		got, pub := acl.Expand(a, acl.Members(r.ProtoGroups(visible)))
		if want := ref.Public(id); pub != want {
			t.Fatalf("%s: item %s: public = %v, reference %v", name, id, pub, want)
		}
		docs++
		pairs += len(tn.Users)
		if pub {
			public++
			continue
		}
		if want := ref.Allowed(id); !slices.Equal(got, want) {
			t.Fatalf("%s: item %s: ACL admits %v, reference %v (acl %+v)", name, id, got, want, a)
		}
		checkCompact(t, name+": item "+id, r, visible)
	}
	return len(tn.Users), docs, pairs, public
}

// checkCompact asserts the promises of the compact form: listed groups are
// wholly allowed and non-empty, listed accounts are outside them, lists
// are sorted, and users are exactly the known emails of the accounts.
func checkCompact(t *testing.T, name string, r acl.Result, email func(string) string) {
	t.Helper()
	covered := map[string]bool{}
	for i, g := range r.Groups {
		if len(g.Members) == 0 || i > 0 && r.Groups[i-1].ID >= g.ID {
			t.Fatalf("%s: group %s empty or out of order", name, g.ID)
		}
		for _, m := range g.Members {
			if _, ok := slices.BinarySearch(r.Allowed, m); !ok {
				t.Fatalf("%s: group %s member %s not allowed", name, g.ID, m)
			}
			covered[m] = true
		}
	}
	if !slices.IsSorted(r.Accounts) {
		t.Fatalf("%s: accounts not sorted", name)
	}
	var emails []string
	for _, id := range r.Accounts {
		if covered[id] {
			t.Fatalf("%s: account %s listed although group-covered", name, id)
		}
		if e := email(id); e != "" && !slices.Contains(emails, e) {
			emails = append(emails, e)
		}
	}
	slices.Sort(emails)
	if a := r.ACL(email); !slices.Equal(a.Users, emails) && len(emails)+len(a.Users) > 0 {
		t.Fatalf("%s: users %v, want %v", name, a.Users, emails)
	}
}

// itemIDs lists every content and attachment id of a tenant.
func itemIDs(tn *confluencesim.Tenant) []string {
	var ids []string
	for _, c := range tn.Content {
		ids = append(ids, c.ID)
	}
	for _, a := range tn.Attachments {
		ids = append(ids, a.ID)
	}
	return ids
}

// directory is what the resolver learns from the API: existing groups and
// account states.
func directory(tn *confluencesim.Tenant) acl.Static {
	d := acl.Static{Groups: map[string]acl.Group{}, Accounts: map[string]bool{}}
	for _, g := range tn.Groups {
		d.Groups[g.ID] = acl.Group{ID: g.ID, Name: g.Name, Members: g.Members}
	}
	for _, u := range tn.Users {
		d.Accounts[u.AccountID] = u.Active
	}
	return d
}

// inputs gathers an item's inputs as the resolver does: the read/space
// grants of its space, and the read restrictions of its node (the
// container for comments and attachments) and of every ancestor, root
// first.
func inputs(tn *confluencesim.Tenant, id string) (acl.Space, []acl.Principals) {
	content := map[string]*confluencesim.Content{}
	for _, c := range tn.Content {
		content[c.ID] = c
	}
	for _, a := range tn.Attachments {
		if a.ID == id {
			id = a.ContainerID
		}
	}
	c := content[id]
	for c.Type == "comment" {
		if c.ContainerID != "" {
			c = content[c.ContainerID]
		} else {
			c = content[c.ParentCommentID]
		}
	}
	var chain []acl.Principals
	for n := c; n != nil; n = content[n.ParentID] {
		chain = append([]acl.Principals{{Users: n.Restrictions.ReadUsers, Groups: n.Restrictions.ReadGroups}}, chain...)
	}
	var space acl.Space
	for _, s := range tn.Spaces {
		if s.ID != c.SpaceID {
			continue
		}
		for _, p := range s.Permissions {
			if p.Key != "read" || p.TargetType != "space" {
				continue
			}
			switch p.PrincipalType {
			case "user":
				space.Users = append(space.Users, p.PrincipalID)
			case "group":
				space.Groups = append(space.Groups, p.PrincipalID)
			case "role":
				space.Anonymous = space.Anonymous || p.PrincipalID == "ANONYMOUS"
			}
		}
	}
	return space, chain
}

// TestPropertyGeneratedTenants runs the same check over the simulator's
// generated tenants, with sizes drawn per seed: deeper trees and more
// restrictions than the defaults.
func TestPropertyGeneratedTenants(t *testing.T) {
	tenants := 120
	if testing.Short() {
		tenants = 20
	}
	var users, docs, pairs, public int
	for seed := range tenants {
		rng := rand.New(rand.NewPCG(uint64(seed), 11))
		tn := confluencesim.Generate(int64(seed), confluencesim.Size{
			Spaces: 1 + rng.IntN(4), PagesPerSpace: 1 + rng.IntN(40), BlogsPerSpace: rng.IntN(4),
			Users: 1 + rng.IntN(25), Groups: rng.IntN(6), MaxDepth: 1 + rng.IntN(9),
			AttachmentsPerPage: 0.5, CommentsPerPage: 0.7, RestrictedShare: 0.05 + 0.6*rng.Float64(),
		})
		u, d, p, pub := checkTenant(t, fmt.Sprintf("generated seed %d", seed), tn)
		users, docs, pairs, public = users+u, docs+d, pairs+p, public+pub
	}
	t.Logf("%d generated tenants, %d users, %d documents (%d public), %d user×document decisions: 0 mismatches",
		tenants, users, docs, public, pairs)
}
