package acl

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"

	"github.com/conflux-dev/conflux/proto"
)

// Hash fingerprints what a reader's access to a document depends on: the
// ACL and the members of the groups it lists. Two documents with the same
// hash admit the same accounts under the same emails. It is 32 hex
// characters (128 bits of SHA-256), stable across processes and versions.
func Hash(a proto.ACL, groups []proto.Group) string {
	h := sha256.New()
	flag := byte(0)
	if a.Public {
		flag = 1
	}
	h.Write([]byte{flag})
	for _, list := range [][]string{a.Users, a.AccountIDs, a.Groups, a.GroupNames} {
		writeList(h, list)
	}
	writeInt(h, len(groups))
	for _, g := range groups {
		writeList(h, []string{g.ID, g.Name})
		writeInt(h, len(g.Members))
		for _, m := range g.Members {
			writeList(h, []string{m.AccountID, m.Email})
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func writeList(h hash.Hash, list []string) {
	writeInt(h, len(list))
	for _, s := range list {
		writeInt(h, len(s))
		h.Write([]byte(s))
	}
}

func writeInt(h hash.Hash, n int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}
