package sinkport

import (
	"cmp"
	"slices"

	"github.com/conflux-dev/conflux/proto"
)

func sortItems(items []Item) {
	slices.SortFunc(items, func(a, b Item) int { return cmp.Compare(a.Doc.ID, b.Doc.ID) })
}

func sortGroups(groups []proto.Group) {
	slices.SortFunc(groups, func(a, b proto.Group) int { return cmp.Compare(a.ID, b.ID) })
}
