package sink

import (
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

func TestCovers(t *testing.T) {
	eng := []proto.Group{{ID: "g-eng", Name: "eng", Members: []proto.GroupMember{{AccountID: "a1", Email: "a1@x.com"}, {AccountID: "a2"}}}}
	cases := []struct {
		name         string
		page, reader proto.ACL
		groups       []proto.Group
		want         bool
	}{
		{"public page covers a public document", proto.ACL{Public: true}, proto.ACL{Public: true}, nil, true},
		{"public page covers anyone", proto.ACL{Public: true}, proto.ACL{Groups: []string{"g-x"}, AccountIDs: []string{"z"}}, nil, true},
		{"restricted page does not cover a public document", proto.ACL{AccountIDs: []string{"a1"}}, proto.ACL{Public: true}, nil, false},
		{"same group", proto.ACL{Groups: []string{"g-eng"}}, proto.ACL{Groups: []string{"g-eng"}}, eng, true},
		{"another group is not covered, even if members overlap", proto.ACL{Groups: []string{"g-eng"}}, proto.ACL{Groups: []string{"g-ops"}}, eng, false},
		{"account listed on both", proto.ACL{AccountIDs: []string{"a1", "a3"}}, proto.ACL{AccountIDs: []string{"a3"}}, nil, true},
		{"account covered by the page's group", proto.ACL{Groups: []string{"g-eng"}}, proto.ACL{AccountIDs: []string{"a2"}}, eng, true},
		{"account outside the page's group", proto.ACL{Groups: []string{"g-eng"}}, proto.ACL{AccountIDs: []string{"a9"}}, eng, false},
		{"email covered by a group member", proto.ACL{Groups: []string{"g-eng"}}, proto.ACL{Users: []string{"a1@x.com"}, AccountIDs: []string{"a1"}}, eng, true},
		{"email not covered", proto.ACL{AccountIDs: []string{"a1"}}, proto.ACL{Users: []string{"b@x.com"}, AccountIDs: []string{"a1"}}, nil, false},
		{"group members of a group the page does not list do not count", proto.ACL{}, proto.ACL{AccountIDs: []string{"a1"}}, eng, false},
		{"nobody may read the document", proto.ACL{}, proto.ACL{}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := covers(tc.page, tc.groups, tc.reader); got != tc.want {
				t.Fatalf("covers = %v, want %v", got, tc.want)
			}
		})
	}
}
