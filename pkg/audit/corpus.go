package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// maxPool bounds the accounts the audit keeps to sample from.
const maxPool = 100_000

// entry is what the audit keeps of every document in the documents
// stream: enough to place it in the tree and to stratify, not its ACL.
type entry struct {
	id, typ, space, spaceKey string
	parent, container        string
	aclKey                   string // acl.Hash of the ACL and its groups
	public, groups, csv      bool
	depth                    int // restriction levels on its path (depthOf)
}

// corpus is the site as the documents stream has it, and the accounts the
// crawl knows.
type corpus struct {
	entries []*entry // sorted by id
	byID    map[string]*entry
	// baseline is, per space, a document holding the space's most common
	// ACL among its top-level items: what the space itself grants.
	baseline map[string]string
	pool     []string        // active accounts, sorted
	csv      map[string]bool // account id tokens with an imported email
}

// loadCorpus reads the last message of every document subject of the
// site, the accounts the permission resolver stored and the users CSV
// bucket.
func loadCorpus(ctx context.Context, js jetstream.JetStream, site string) (*corpus, error) {
	c := &corpus{byID: map[string]*entry{}, baseline: map[string]string{}}
	var err error
	if c.csv, err = csvAccounts(ctx, js); err != nil {
		return nil, err
	}
	pool := map[string]bool{}
	err = bus.EachLast(ctx, js, proto.StreamDocuments, proto.For(site).Documents(""), false, func(msg jetstream.Msg) error {
		m, err := bus.DecodeMsg(ctx, js, msg)
		if errors.Is(err, bus.ErrMalformed) || errors.Is(err, bus.ErrUnknownSchema) {
			return nil
		}
		if err != nil {
			return err
		}
		if d, ok := m.(*proto.DocumentReady); ok {
			c.add(d, pool)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read documents: %w", err)
	}
	if err := resolverAccounts(ctx, js, pool); err != nil {
		return nil, err
	}
	c.finish(pool)
	return c, nil
}

func (c *corpus) add(d *proto.DocumentReady, pool map[string]bool) {
	doc := d.Document
	e := &entry{id: doc.ID, typ: doc.Type, space: doc.SpaceID, spaceKey: doc.SpaceKey,
		aclKey: acl.Hash(doc.ACL, d.Groups), public: doc.ACL.Public, groups: len(doc.ACL.Groups) > 0}
	if n := len(doc.Ancestors); n > 0 {
		e.parent = doc.Ancestors[n-1]
	}
	if doc.ContainerID != nil {
		e.container = *doc.ContainerID
	}
	allowed, _ := acl.Expand(doc.ACL, acl.Members(d.Groups))
	for _, id := range allowed {
		if len(pool) < maxPool {
			pool[id] = true
		}
		e.csv = e.csv || c.csv[proto.Token(id)]
	}
	if old := c.byID[e.id]; old != nil {
		*old = *e
		return
	}
	c.byID[e.id] = e
	c.entries = append(c.entries, e)
}

func (c *corpus) finish(pool map[string]bool) {
	slices.SortFunc(c.entries, func(a, b *entry) int { return compareIDs(a.id, b.id) })
	for id := range pool {
		c.pool = append(c.pool, id)
	}
	slices.Sort(c.pool)
	c.findBaselines()
	done := map[string]bool{}
	for _, e := range c.entries {
		c.depthOf(e, done, map[string]bool{})
	}
}

// findBaselines picks, per space, the most common ACL of its top-level
// pages, folders and blog posts (ties: the smallest id).
func (c *corpus) findBaselines() {
	count := map[string]map[string]int{} // space → acl key → documents
	first := map[string]string{}         // space|acl key → first document id
	for _, e := range c.entries {
		if e.parent != "" || e.container != "" {
			continue
		}
		if count[e.space] == nil {
			count[e.space] = map[string]int{}
		}
		count[e.space][e.aclKey]++
		if _, ok := first[e.space+"|"+e.aclKey]; !ok {
			first[e.space+"|"+e.aclKey] = e.id
		}
	}
	for space, keys := range count {
		best := ""
		for k, n := range keys {
			id := first[space+"|"+k]
			if b := first[space+"|"+best]; best == "" || n > keys[best] || n == keys[best] && compareIDs(id, b) < 0 {
				best = k
			}
		}
		c.baseline[space] = first[space+"|"+best]
	}
}

// depthOf counts the restriction levels of an entry: how often the ACL
// changes on the path from the space's baseline down to the item (a
// comment or attachment counts its container's). A level is a node whose
// ACL differs from its parent's. done memoizes; visiting stops a cycle.
func (c *corpus) depthOf(e *entry, done, visiting map[string]bool) int {
	if done[e.id] || visiting[e.id] {
		return e.depth
	}
	visiting[e.id] = true
	defer func() { done[e.id] = true }()
	if e.container != "" {
		if k := c.byID[e.container]; k != nil {
			e.depth = c.depthOf(k, done, visiting)
		}
		return e.depth
	}
	above, parentKey := 0, c.baselineKey(e.space)
	if p := c.byID[e.parent]; p != nil {
		above, parentKey = c.depthOf(p, done, visiting), p.aclKey
	}
	e.depth = above
	if e.aclKey != parentKey {
		e.depth++
	}
	return e.depth
}

func (c *corpus) baselineKey(space string) string {
	if b := c.byID[c.baseline[space]]; b != nil {
		return b.aclKey
	}
	return ""
}

// compareIDs orders numeric ids by value ("9" before "10"), then the rest.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// csvAccounts lists the account id tokens of the users bucket
// (proto.BucketUsers: the imported users CSV).
func csvAccounts(ctx context.Context, js jetstream.JetStream) (map[string]bool, error) {
	out := map[string]bool{}
	kv, err := js.KeyValue(ctx, proto.BucketUsers)
	if err != nil {
		return nil, fmt.Errorf("open users bucket %s: %w", proto.BucketUsers, err)
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users bucket: %w", err)
	}
	defer func() { _ = keys.Stop() }()
	for k := range keys.Keys() {
		out[k] = true
	}
	return out, nil
}
