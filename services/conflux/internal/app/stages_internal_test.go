package app

import (
	"slices"
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

// TestStagesFollowTheTable checks that conflux runs every stage of
// proto.Stages, in its order, and no other: a stage added to the table
// but not to stages (or the other way round) fails here.
func TestStagesFollowTheTable(t *testing.T) {
	var names []string
	for _, s := range stages {
		names = append(names, s.Name)
		if s.New == nil {
			t.Errorf("stage %s has no constructor", s.Name)
		}
		_ = s.Spec() // panics for a stage missing from the table
	}
	if want := proto.StageNames(); !slices.Equal(names, want) {
		t.Errorf("stages %v, want proto.Stages %v", names, want)
	}
	if _, err := lookup("nope"); err == nil {
		t.Error("lookup of an unknown stage succeeded")
	}
}
