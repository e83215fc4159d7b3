package permissions

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/natstest"
)

func testBucket(t *testing.T) jetstream.KeyValue {
	t.Helper()
	_, js := natstest.Connect(t, natstest.Start(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "TEST_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// Two replicas (two stores on one bucket), each with several goroutines,
// ask for the same keys at once: every key is fetched exactly once.
func TestStoreFetchesEachKeyOnceAcrossReplicas(t *testing.T) {
	kv := testBucket(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	replicas := []*store{
		{kv: kv, owner: "a", wait: 30 * time.Second, stale: time.Minute},
		{kv: kv, owner: "b", wait: 30 * time.Second, stale: time.Minute},
	}
	var fetches sync.Map
	keys := []string{"c1.restr.1", "c1.restr.2", "c1.restr.3", "c1.space.9"}
	var wg sync.WaitGroup
	for _, s := range replicas {
		var fl flights[string, []byte]
		for range 4 {
			for _, key := range keys {
				wg.Go(func() {
					v, err := fl.do(ctx, key, func(ctx context.Context) ([]byte, error) {
						return s.load(ctx, key, func(ctx context.Context) ([]byte, error) {
							n, _ := fetches.LoadOrStore(key, new(atomic.Int32))
							n.(*atomic.Int32).Add(1)
							time.Sleep(50 * time.Millisecond) // a slow API call
							return []byte("value of " + key), nil
						})
					})
					if err != nil || string(v) != "value of "+key {
						t.Errorf("load %s = %q, %v", key, v, err)
					}
				})
			}
		}
	}
	wg.Wait()
	for _, key := range keys {
		n, _ := fetches.Load(key)
		if got := n.(*atomic.Int32).Load(); got != 1 {
			t.Errorf("%s fetched %d times, want 1", key, got)
		}
	}
}

// A claim left by a replica that died is taken over once stale; a failed
// fetch releases its claim so that the next caller fetches at once.
func TestStoreClaims(t *testing.T) {
	kv := testBucket(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := &store{kv: kv, owner: "a", wait: 30 * time.Second, stale: 300 * time.Millisecond}
	if _, err := kv.Create(ctx, claimKey("k1"), []byte("dead replica")); err != nil {
		t.Fatal(err)
	}
	v, err := s.load(ctx, "k1", func(context.Context) ([]byte, error) { return []byte("v1"), nil })
	if err != nil || string(v) != "v1" {
		t.Fatalf("load after stale claim = %q, %v", v, err)
	}
	if _, err := kv.Get(ctx, claimKey("k1")); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("claim not released: %v", err)
	}

	boom := errors.New("api down")
	if _, err := s.load(ctx, "k2", func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failed fetch = %v, want %v", err, boom)
	}
	s.stale = time.Hour // a claim left behind would now block for the whole wait
	s.wait = 20 * time.Second
	start := time.Now()
	v, err = s.load(ctx, "k2", func(context.Context) ([]byte, error) { return []byte("v2"), nil })
	if err != nil || string(v) != "v2" || time.Since(start) > 10*time.Second {
		t.Fatalf("load after failed fetch = %q, %v after %s", v, err, time.Since(start))
	}

	// A waiter gives up on a live claim after wait and fetches itself.
	if _, err := kv.Create(ctx, claimKey("k3"), []byte("slow replica")); err != nil {
		t.Fatal(err)
	}
	s.wait = 300 * time.Millisecond
	v, err = s.load(ctx, "k3", func(context.Context) ([]byte, error) { return []byte("v3"), nil })
	if err != nil || string(v) != "v3" {
		t.Fatalf("load past a live claim = %q, %v", v, err)
	}
}

func TestFlightsShareOneCall(t *testing.T) {
	var fl flights[string, int]
	var calls atomic.Int32
	release := make(chan struct{})
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]int, 8)
	for i := range results {
		wg.Go(func() {
			results[i], _ = fl.do(ctx, "k", func(context.Context) (int, error) {
				calls.Add(1)
				<-release
				return 42, nil
			})
		})
	}
	joined := func() int {
		fl.mu.Lock()
		defer fl.mu.Unlock()
		if c := fl.m["k"]; c != nil {
			return c.dups
		}
		return 0
	}
	for deadline := time.Now().Add(30 * time.Second); joined() < len(results)-1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("%d calls, want 1", calls.Load())
	}
	for _, r := range results {
		if r != 42 {
			t.Fatalf("results %v", results)
		}
	}
}

// lateKV lets another replica store the value and release its claim just
// before our claim.
type lateKV struct {
	kvStore
	before func()
}

func (k lateKV) Create(ctx context.Context, key string, value []byte, opts ...jetstream.KVCreateOpt) (uint64, error) {
	k.before()
	return k.kvStore.Create(ctx, key, value, opts...)
}

// A value stored by another replica between our look-up and our claim is
// used, not fetched again.
func TestStoreRechecksAfterClaim(t *testing.T) {
	kv := testBucket(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := &store{kv: lateKV{kvStore: kv, before: func() {
		if _, err := kv.Put(ctx, "k", []byte("theirs")); err != nil {
			t.Error(err)
		}
	}}, owner: "a", wait: 30 * time.Second, stale: time.Minute}
	v, err := s.load(ctx, "k", func(context.Context) ([]byte, error) { return []byte("ours"), nil })
	if err != nil || string(v) != "theirs" {
		t.Fatalf("load = %q, %v; want the other replica's value", v, err)
	}
}
