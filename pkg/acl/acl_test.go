package acl_test

import (
	"slices"
	"testing"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/proto"
)

// dir: eng = {ann, bob, cid(inactive)}, ops = {bob, dan}, empty = {},
// ghosts = {zed(inactive)}; "gone" is a deleted group.
var dir = acl.Static{
	Groups: map[string]acl.Group{
		"g-eng":    {ID: "g-eng", Name: "eng", Members: []string{"ann", "bob", "cid"}},
		"g-ops":    {ID: "g-ops", Name: "ops", Members: []string{"bob", "dan"}},
		"g-empty":  {ID: "g-empty", Name: "empty"},
		"g-ghosts": {ID: "g-ghosts", Name: "ghosts", Members: []string{"zed"}},
	},
	Accounts: map[string]bool{"ann": true, "bob": true, "cid": false, "dan": true, "eve": true, "zed": false},
}

func users(ids ...string) acl.Principals  { return acl.Principals{Users: ids} }
func groups(ids ...string) acl.Principals { return acl.Principals{Groups: ids} }

func TestEvaluate(t *testing.T) {
	space := acl.Space{Principals: acl.Principals{Users: []string{"eve", "cid"}, Groups: []string{"g-eng", "g-ops"}}}
	tests := []struct {
		name         string
		space        acl.Space
		restrictions []acl.Principals
		public       bool
		allowed      []string
		groups       []string
		accounts     []string
	}{
		{name: "space only lists its groups", space: space,
			allowed: []string{"ann", "bob", "dan", "eve"}, groups: []string{"g-eng", "g-ops"}, accounts: []string{"eve"}},
		{name: "empty restrictions impose nothing", space: space, restrictions: []acl.Principals{{}, {}},
			allowed: []string{"ann", "bob", "dan", "eve"}, groups: []string{"g-eng", "g-ops"}, accounts: []string{"eve"}},
		{name: "restriction to a user", space: space, restrictions: []acl.Principals{users("ann")},
			allowed: []string{"ann"}, accounts: []string{"ann"}},
		{name: "restriction to a user outside the space", space: space, restrictions: []acl.Principals{users("ann", "zed", "nobody")},
			allowed: []string{"ann"}, accounts: []string{"ann"}},
		{name: "intersection over the path, not the nearest", space: space,
			restrictions: []acl.Principals{groups("g-eng"), groups("g-ops")},
			allowed:      []string{"bob"}, accounts: []string{"bob"}},
		{name: "group wholly allowed is listed, inactive members ignored", space: space,
			restrictions: []acl.Principals{{Users: []string{"dan"}, Groups: []string{"g-eng"}}},
			allowed:      []string{"ann", "bob", "dan"}, groups: []string{"g-eng", "g-ops"}},
		{name: "deleted group admits nobody", space: space, restrictions: []acl.Principals{groups("gone")}},
		{name: "deleted group beside a user", space: space, restrictions: []acl.Principals{{Users: []string{"dan"}, Groups: []string{"gone"}}},
			allowed: []string{"dan"}, accounts: []string{"dan"}},
		{name: "space granted to a deleted group only", space: acl.Space{Principals: groups("gone")}},
		{name: "anonymous space, nothing restricted: public", space: acl.Space{Anonymous: true}, public: true},
		{name: "anonymous space, restricted item is not public", space: acl.Space{Anonymous: true},
			restrictions: []acl.Principals{{Users: []string{"eve", "cid"}, Groups: []string{"g-ops"}}},
			allowed:      []string{"bob", "dan", "eve"}, groups: []string{"g-ops"}, accounts: []string{"eve"}},
		{name: "anonymous space, two restrictions", space: acl.Space{Anonymous: true},
			restrictions: []acl.Principals{groups("g-eng"), {}, users("ann", "dan")},
			allowed:      []string{"ann"}, accounts: []string{"ann"}},
		{name: "groups without active members are never listed", space: acl.Space{Principals: groups("g-empty", "g-ghosts", "g-ops")},
			allowed: []string{"bob", "dan"}, groups: []string{"g-ops"}},
		{name: "nobody in the space", space: acl.Space{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := acl.Evaluate(tc.space, tc.restrictions, dir)
			if r.Public != tc.public {
				t.Fatalf("public = %v, want %v", r.Public, tc.public)
			}
			var gids []string
			for _, g := range r.Groups {
				gids = append(gids, g.ID)
			}
			if !slices.Equal(r.Allowed, tc.allowed) || !slices.Equal(gids, tc.groups) || !slices.Equal(r.Accounts, tc.accounts) {
				t.Fatalf("allowed %v groups %v accounts %v; want %v %v %v", r.Allowed, gids, r.Accounts, tc.allowed, tc.groups, tc.accounts)
			}
			a := r.ACL(func(string) string { return "" })
			got, public := acl.Expand(a, acl.Members(r.ProtoGroups(func(string) string { return "" })))
			if public != tc.public || !slices.Equal(got, tc.allowed) {
				t.Fatalf("expand = %v %v, want %v %v", got, public, tc.allowed, tc.public)
			}
		})
	}
}

func TestACLRendering(t *testing.T) {
	r := acl.Result{
		Allowed:  []string{"ann", "bob", "dan", "eve"},
		Groups:   []acl.Group{{ID: "g-ops", Name: "ops", Members: []string{"bob", "dan"}}},
		Accounts: []string{"ann", "eve", "fay"},
	}
	emails := map[string]string{"ann": "z@x.com", "eve": "a@x.com", "fay": "a@x.com", "bob": "bob@x.com"}
	a := r.ACL(func(id string) string { return emails[id] })
	want := proto.ACL{Users: []string{"a@x.com", "z@x.com"}, AccountIDs: []string{"ann", "eve", "fay"},
		Groups: []string{"g-ops"}, GroupNames: []string{"ops"}}
	if a.Public || !slices.Equal(a.Users, want.Users) || !slices.Equal(a.AccountIDs, want.AccountIDs) ||
		!slices.Equal(a.Groups, want.Groups) || !slices.Equal(a.GroupNames, want.GroupNames) {
		t.Fatalf("acl = %+v, want %+v", a, want)
	}
	empty := acl.Result{}.ACL(func(string) string { return "" })
	if empty.Users == nil || empty.AccountIDs == nil || empty.Groups == nil || empty.GroupNames == nil {
		t.Fatalf("empty ACL has nil lists: %+v", empty)
	}
	g := r.ProtoGroups(func(id string) string { return emails[id] })
	if len(g) != 1 || g[0].Members[0] != (proto.GroupMember{AccountID: "bob", Email: "bob@x.com"}) || g[0].Members[1].Email != "" {
		t.Fatalf("groups = %+v", g)
	}
}

func TestHash(t *testing.T) {
	base := proto.ACL{Users: []string{"a@x"}, AccountIDs: []string{"a"}, Groups: []string{"g"}, GroupNames: []string{"G"}}
	groups := []proto.Group{{ID: "g", Name: "G", Members: []proto.GroupMember{{AccountID: "b", Email: "b@x"}}}}
	h := acl.Hash(base, groups)
	if len(h) != 32 || h != acl.Hash(base, groups) {
		t.Fatalf("hash %q not stable", h)
	}
	variants := map[string]func() (proto.ACL, []proto.Group){
		"public":  func() (proto.ACL, []proto.Group) { a := base; a.Public = true; return a, groups },
		"account": func() (proto.ACL, []proto.Group) { a := base; a.AccountIDs = []string{"a", "c"}; return a, groups },
		"shifted": func() (proto.ACL, []proto.Group) {
			a := base
			a.Users = nil
			a.AccountIDs = []string{"a@x", "a"}
			return a, groups
		},
		"group member": func() (proto.ACL, []proto.Group) { return base, []proto.Group{{ID: "g", Name: "G"}} },
		"member email": func() (proto.ACL, []proto.Group) {
			return base, []proto.Group{{ID: "g", Name: "G", Members: []proto.GroupMember{{AccountID: "b"}}}}
		},
	}
	for name, v := range variants {
		if acl.Hash(v()) == h {
			t.Errorf("%s: hash unchanged", name)
		}
	}
}
