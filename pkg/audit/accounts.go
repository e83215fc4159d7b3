package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/proto"
)

// cachedMember mirrors the account record the permission resolver stores
// in proto.BucketCache (group member chunks "<crawl>.group.<id>.<n>" and
// space grants "<crawl>.space.<id>"): the fields the audit reads.
type cachedMember struct {
	ID     string `msgpack:"id"`
	Active bool   `msgpack:"active"`
}

type cachedSpace struct {
	Users []cachedMember `msgpack:"users"`
}

// resolverAccounts adds to pool the active accounts the permission
// resolver stored: members of every group it read and the users granted
// on spaces. What cannot be decoded is skipped (the cache is the
// resolver's; the documents alone still give a pool).
func resolverAccounts(ctx context.Context, js jetstream.JetStream, pool map[string]bool) error {
	kv, err := js.KeyValue(ctx, proto.BucketCache)
	if err != nil {
		return fmt.Errorf("open cache bucket %s: %w", proto.BucketCache, err)
	}
	keys, err := kv.ListKeysFiltered(ctx, "*.group.*.*", "*.space.*")
	if err != nil {
		return fmt.Errorf("list cache bucket: %w", err)
	}
	defer func() { _ = keys.Stop() }()
	for k := range keys.Keys() {
		if len(pool) >= maxPool {
			return nil
		}
		e, err := kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read cache %s: %w", k, err)
		}
		for _, m := range decodeMembers(e.Value()) {
			if m.Active && m.ID != "" {
				pool[m.ID] = true
			}
		}
	}
	return nil
}

func decodeMembers(b []byte) []cachedMember {
	var ms []cachedMember
	if msgpack.Unmarshal(b, &ms) == nil {
		return ms
	}
	var sp cachedSpace
	if msgpack.Unmarshal(b, &sp) == nil {
		return sp.Users
	}
	return nil
}
