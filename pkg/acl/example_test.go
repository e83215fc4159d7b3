package acl_test

import (
	"fmt"

	"github.com/conflux-dev/conflux/pkg/acl"
)

// A page restricted to the eng group sits under a folder restricted to
// dan and bob: only bob passes both. The space is open to its eng and ops
// groups.
func ExampleEvaluate() {
	dir := acl.Static{
		Groups: map[string]acl.Group{
			"g-eng": {ID: "g-eng", Name: "eng", Members: []string{"ann", "bob"}},
			"g-ops": {ID: "g-ops", Name: "ops", Members: []string{"bob", "dan"}},
		},
		Accounts: map[string]bool{"ann": true, "bob": true, "dan": true},
	}
	space := acl.Space{Principals: acl.Principals{Groups: []string{"g-eng", "g-ops"}}}
	folder := acl.Principals{Users: []string{"dan", "bob"}}
	page := acl.Principals{Groups: []string{"g-eng"}}

	r := acl.Evaluate(space, []acl.Principals{folder, page}, dir)
	a := r.ACL(func(id string) string { return map[string]string{"bob": "bob@example.com"}[id] })
	fmt.Println(r.Allowed, a.Users, a.AccountIDs, a.Groups)

	// Without the page's restriction the ops group is wholly allowed.
	r = acl.Evaluate(space, []acl.Principals{folder}, dir)
	a = r.ACL(func(string) string { return "" })
	fmt.Println(r.Allowed, a.AccountIDs, a.Groups, a.GroupNames)
	// Output:
	// [bob] [bob@example.com] [bob] []
	// [bob dan] [] [g-ops] [ops]
}
