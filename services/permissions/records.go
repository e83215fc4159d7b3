package permissions

import (
	"strconv"

	"github.com/conflux-dev/conflux/proto"
)

// Keys of the per-crawl records in proto.BucketCache. Every key starts
// with a crawl, so that a new crawl looks everything up again and the
// bucket's TTL clears old crawls: restrictions and paths with the crawl
// itself; space grants and groups with the crawl whose permissions it
// uses (its own, or for an incremental crawl the last full or
// permission-only crawl's, CrawlMeta.PermissionsFrom).
//
//	<crawl>.space.<space id>        spaceRecord
//	<crawl>.restr.<content id>      restrictionRecord
//	<crawl>.group.<group id>        groupRecord
//	<crawl>.group.<group id>.<n>    []member, chunk n of the group's members
//	<crawl>.anc.<content id>        ancestorsRecord
//	claim.<key>                     a replica is fetching <key>
type cacheKeys struct{ crawl, perms string }

// keysOf are the keys of a crawl whose space grants and groups are those
// of permsFrom ("" for its own).
func keysOf(crawlID, permsFrom string) cacheKeys {
	if permsFrom == "" {
		permsFrom = crawlID
	}
	return cacheKeys{crawl: proto.Token(crawlID), perms: proto.Token(permsFrom)}
}

func (k cacheKeys) space(id string) string       { return k.perms + ".space." + proto.Token(id) }
func (k cacheKeys) restriction(id string) string { return k.crawl + ".restr." + proto.Token(id) }
func (k cacheKeys) group(id string) string       { return k.perms + ".group." + proto.Token(id) }
func (k cacheKeys) ancestors(id string) string   { return k.crawl + ".anc." + proto.Token(id) }

// groupChunk is the key of one chunk of a group's members.
func (k cacheKeys) groupChunk(id string, n int) string {
	return k.group(id) + "." + strconv.Itoa(n)
}

// chunkSize is the number of members per group chunk: about 100 KiB, far
// under the default 1 MiB message limit.
const chunkSize = 1000

// member is an account as the resolver needs it: whether it may sign in,
// its email (from the API, else from the imported users CSV), and its
// display name for the mentions of it (from the API; empty when hidden).
type member struct {
	ID     string `msgpack:"id"`
	Active bool   `msgpack:"active"`
	Email  string `msgpack:"email,omitempty"`
	Name   string `msgpack:"name,omitempty"`
}

// spaceRecord is a space's view grants: its read/space rows.
type spaceRecord struct {
	Found     bool     `msgpack:"found"`
	Users     []member `msgpack:"users,omitempty"`
	Groups    []string `msgpack:"groups,omitempty"`
	Anonymous bool     `msgpack:"anonymous,omitempty"`
}

// groupRef names a group a restriction lists.
type groupRef struct {
	ID   string `msgpack:"id"`
	Name string `msgpack:"name"`
}

// restrictionRecord is the read restriction of one page, blog post or
// folder (empty: not restricted).
type restrictionRecord struct {
	Found  bool       `msgpack:"found"`
	Users  []member   `msgpack:"users,omitempty"`
	Groups []groupRef `msgpack:"groups,omitempty"`
}

// groupRecord heads a group's members, stored in Chunks chunks. Exists is
// false for a deleted or unknown group, which admits nobody.
type groupRecord struct {
	Exists  bool   `msgpack:"exists"`
	Name    string `msgpack:"name,omitempty"`
	Chunks  int    `msgpack:"chunks,omitempty"`
	Members int    `msgpack:"members,omitempty"`
}

// ancestorsRecord is the path above a container the message did not
// carry, root first.
type ancestorsRecord struct {
	Found     bool             `msgpack:"found"`
	Ancestors []proto.Ancestor `msgpack:"ancestors,omitempty"`
}
