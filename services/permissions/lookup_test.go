package permissions

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A lookup climbs the ladder once per key: many callers of one process
// share one load, a second process finds the value in the shared store
// without fetching, and a value in memory is read without the store.
func TestLookupClimbsOncePerKey(t *testing.T) {
	kv := testBucket(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var fetches atomic.Int32
	fetch := func(context.Context) (spaceRecord, error) {
		fetches.Add(1)
		time.Sleep(20 * time.Millisecond) // a slow API call
		return spaceRecord{Found: true, Groups: []string{"g1"}}, nil
	}
	var learned atomic.Int32
	newLookup := func() *lookup[string, spaceRecord] {
		return &lookup[string, spaceRecord]{memory: newRecent[spaceRecord](10), learn: func(spaceRecord) { learned.Add(1) }}
	}
	a := &store{kv: kv, owner: "a", wait: 30 * time.Second, stale: time.Minute}
	l := newLookup()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			rec, err := l.get(ctx, "s1", stored(a, "c1.space.s1", fetch))
			if err != nil || !rec.Found || len(rec.Groups) != 1 {
				t.Errorf("get = %+v, %v", rec, err)
			}
		})
	}
	wg.Wait()
	if fetches.Load() != 1 || learned.Load() != 1 {
		t.Fatalf("%d fetches, %d learned; want 1 and 1", fetches.Load(), learned.Load())
	}
	// Memory answers without the store: a load that would fail is not run.
	if _, err := l.get(ctx, "s1", func(context.Context) (spaceRecord, error) {
		return spaceRecord{}, errors.New("load ran")
	}); err != nil {
		t.Fatalf("memory hit: %v", err)
	}
	// Another replica reads the shared store and does not fetch again.
	b := &store{kv: kv, owner: "b", wait: 30 * time.Second, stale: time.Minute}
	if rec, err := newLookup().get(ctx, "s1", stored(b, "c1.space.s1", fetch)); err != nil || !rec.Found {
		t.Fatalf("second replica = %+v, %v", rec, err)
	}
	if fetches.Load() != 1 {
		t.Fatalf("%d fetches after the second replica, want 1", fetches.Load())
	}
}

// A failed load is neither kept nor learned: the next caller loads again.
func TestLookupForgetsFailures(t *testing.T) {
	l := &lookup[string, int]{memory: newRecent[int](10)}
	ctx := context.Background()
	boom := errors.New("boom")
	if _, err := l.get(ctx, "k", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("first get: %v, want boom", err)
	}
	v, err := l.get(ctx, "k", func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("second get = %d, %v; want 7", v, err)
	}
}
