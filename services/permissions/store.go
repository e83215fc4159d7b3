package permissions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/pkg/pause"
)

// Defaults of the shared cache.
const (
	// DefaultClaimWait is how long a replica waits for another replica's
	// fetch of the same key before fetching it itself: 45s.
	DefaultClaimWait = 45 * time.Second
	// DefaultClaimStale is the age after which a claim is deemed abandoned
	// (its holder died) and taken over: 2 minutes.
	DefaultClaimStale = 2 * time.Minute
)

// kvStore is the role of the cache bucket the shared cache needs.
type kvStore interface {
	Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error)
	Put(ctx context.Context, key string, value []byte) (uint64, error)
	Create(ctx context.Context, key string, value []byte, opts ...jetstream.KVCreateOpt) (uint64, error)
	Delete(ctx context.Context, key string, opts ...jetstream.KVDeleteOpt) error
}

// store is a read-through cache in the KV bucket proto.BucketCache shared
// by every replica. A value missing from the bucket is fetched by one
// replica: it claims the key with Create (first writer wins), fetches,
// puts the value and releases the claim, while the others poll for the
// value. A claim older than stale is taken over; a replica that waited
// longer than wait fetches the value itself.
type store struct {
	kv    kvStore
	owner string
	wait  time.Duration
	stale time.Duration
}

func claimKey(key string) string { return "claim." + key }

// load returns the stored value of key, or fetches, stores and returns it.
func (s *store) load(ctx context.Context, key string, fetch func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	deadline := time.Now().Add(s.wait)
	poll := 20 * time.Millisecond
	for {
		if v, ok, err := s.get(ctx, key); err != nil || ok {
			return v, err
		}
		claimed, err := s.claim(ctx, key)
		if err != nil {
			return nil, err
		}
		if claimed || time.Now().After(deadline) {
			return s.fetch(ctx, key, claimed, fetch)
		}
		if err := pause.For(ctx, poll); err != nil {
			return nil, err
		}
		poll = min(2*poll, 500*time.Millisecond)
	}
}

func (s *store) get(ctx context.Context, key string) ([]byte, bool, error) {
	e, err := s.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("read cache %s: %w", key, err)
	}
	return e.Value(), true, nil
}

// claim tries to become the fetcher of key; it takes over a stale claim.
func (s *store) claim(ctx context.Context, key string) (bool, error) {
	ck := claimKey(key)
	_, err := s.kv.Create(ctx, ck, []byte(s.owner))
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return false, fmt.Errorf("claim cache %s: %w", key, err)
	}
	e, err := s.kv.Get(ctx, ck)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil // released meanwhile: the value should be there
	}
	if err != nil {
		return false, fmt.Errorf("claim cache %s: %w", key, err)
	}
	if time.Since(e.Created()) < s.stale {
		return false, nil
	}
	if err := s.kv.Delete(ctx, ck, jetstream.LastRevision(e.Revision())); err != nil {
		return false, nil // someone else took it over
	}
	return false, nil // try again: Create now may win
}

// fetch runs the fetch, stores the value and releases the claim (also when
// the fetch fails, so that another replica may try).
func (s *store) fetch(ctx context.Context, key string, claimed bool, fetch func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	if claimed {
		defer func() {
			// release even when ctx is done, so that no replica waits for a dead claim
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = s.kv.Delete(rctx, claimKey(key))
		}()
		// The previous holder may have stored the value and released its
		// claim between our look-up and our claim.
		if v, ok, err := s.get(ctx, key); err != nil || ok {
			return v, err
		}
	}
	v, err := fetch(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.kv.Put(ctx, key, v); err != nil {
		return nil, fmt.Errorf("write cache %s: %w", key, err)
	}
	return v, nil
}

// loadValue is load for a msgpack-encoded value.
func loadValue[T any](ctx context.Context, s *store, key string, fetch func(ctx context.Context) (T, error)) (T, error) {
	var v T
	b, err := s.load(ctx, key, func(ctx context.Context) ([]byte, error) {
		fv, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		return msgpack.Marshal(fv)
	})
	if err != nil {
		return v, err
	}
	if err := msgpack.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode cache %s: %w", key, err)
	}
	return v, nil
}

// putValue stores a msgpack-encoded value under key.
func putValue(ctx context.Context, s *store, key string, v any) error {
	b, err := msgpack.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode cache %s: %w", key, err)
	}
	if _, err := s.kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("write cache %s: %w", key, err)
	}
	return nil
}

// getValue reads a msgpack-encoded value stored under key.
func getValue(ctx context.Context, s *store, key string, into any) error {
	b, ok, err := s.get(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("read cache %s: %w", key, jetstream.ErrKeyNotFound)
	}
	if err := msgpack.Unmarshal(b, into); err != nil {
		return fmt.Errorf("decode cache %s: %w", key, err)
	}
	return nil
}
