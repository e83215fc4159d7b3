package sink

import (
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

// A group is written again only when its name or members changed, and
// groups that differ only in where a string ends never look the same.
func TestGroupMemoWritesOnlyChangedGroups(t *testing.T) {
	var m groupMemo
	a := proto.Group{ID: "g1", Name: "eng", Members: []proto.GroupMember{{AccountID: "u1", Email: "u1@example.com"}}}
	b := proto.Group{ID: "g2", Name: "ops"}
	groups, hashes := m.changed([]proto.Group{a, b})
	if len(groups) != 2 {
		t.Fatalf("first time: %d groups to write, want 2", len(groups))
	}
	m.remember(groups, hashes)
	if groups, _ := m.changed([]proto.Group{a, b}); len(groups) != 0 {
		t.Fatalf("unchanged: %d groups to write, want 0", len(groups))
	}
	a2 := a
	a2.Members = append([]proto.GroupMember{}, a.Members...)
	a2.Members = append(a2.Members, proto.GroupMember{AccountID: "u2"})
	if groups, _ := m.changed([]proto.Group{a2, b}); len(groups) != 1 || groups[0].ID != "g1" {
		t.Fatalf("member added: %v, want g1 only", groups)
	}
	b2 := b
	b2.Name = "operations"
	if groups, _ := m.changed([]proto.Group{a, b2}); len(groups) != 1 || groups[0].ID != "g2" {
		t.Fatalf("renamed: %v, want g2 only", groups)
	}
	// The same bytes split differently between fields.
	x := proto.Group{ID: "g", Members: []proto.GroupMember{{AccountID: "ab", Email: "c"}}}
	y := proto.Group{ID: "g", Members: []proto.GroupMember{{AccountID: "a", Email: "bc"}}}
	if groupHash(x) == groupHash(y) {
		t.Fatal("members ab|c and a|bc hash the same")
	}
	if groupHash(proto.Group{}) == 0 {
		t.Fatal("a hash is 0, which means never written")
	}
}
