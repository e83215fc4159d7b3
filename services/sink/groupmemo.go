package sink

import (
	"hash/fnv"
	"io"
	"sync"

	"github.com/conflux-dev/conflux/proto"
)

// groupMemoMax bounds the memo: past it, it starts again empty (a tenant
// with more groups than this writes some of them again, which is only
// slower).
const groupMemoMax = 1 << 16

// groupMemo remembers what a lane last wrote of each group, so that the
// groups every document carries are written only when they changed: a
// tenant's few groups are otherwise rewritten once per document.
type groupMemo struct {
	mu      sync.Mutex
	written map[string]uint64 // group id → hash of what was written
}

// groupHash hashes a group's id, name and members, each string preceded
// by its length so that no two groups hash the same input. It hashes the
// fields directly: encoding every group of every document first cost a
// fifth of the sink's handler. It is never 0.
func groupHash(g proto.Group) uint64 {
	h := fnv.New64a()
	var n [8]byte
	count := func(v int) {
		for i := range n {
			n[i] = byte(v >> (8 * i))
		}
		_, _ = h.Write(n[:])
	}
	put := func(s string) {
		count(len(s))
		_, _ = io.WriteString(h, s)
	}
	put(g.ID)
	put(g.Name)
	count(len(g.Members))
	for _, m := range g.Members {
		put(m.AccountID)
		put(m.Email)
	}
	return h.Sum64() | 1
}

// changed returns the groups whose content differs from what was last
// written (all of them the first time), with their hashes for remember.
func (m *groupMemo) changed(groups []proto.Group) ([]proto.Group, []uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []proto.Group
	var hashes []uint64
	for _, g := range groups {
		h := groupHash(g)
		if m.written[g.ID] != h {
			out, hashes = append(out, g), append(hashes, h)
		}
	}
	return out, hashes
}

// remember records groups as written.
func (m *groupMemo) remember(groups []proto.Group, hashes []uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.written == nil || len(m.written)+len(groups) > groupMemoMax {
		m.written = make(map[string]uint64, len(groups))
	}
	for i, g := range groups {
		m.written[g.ID] = hashes[i]
	}
}
