package sink

import (
	"hash/fnv"
	"sync"

	"github.com/vmihailenco/msgpack/v5"

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

func groupHash(g proto.Group) uint64 {
	b, err := msgpack.Marshal(g)
	if err != nil {
		return 0 // never remembered: 0 is not a written hash
	}
	h := fnv.New64a()
	_, _ = h.Write(b)
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
		if h == 0 || m.written[g.ID] != h {
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
