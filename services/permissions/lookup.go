package permissions

import "context"

// memory is the process memory a lookup reads first: bounded (recent)
// for the inputs a crawl has many of, complete for the groups the
// evaluation reads (groupMemory).
type memory[K comparable, V any] interface {
	get(k K) (V, bool)
	put(k K, v V)
}

// lookup is the ladder every input of the permission rule climbs, once
// per crawl: this process's memory, then the shared cache every replica
// reads (store), then Confluence. At most one climb per key is in flight
// in this process; callers that ask meanwhile share its result.
type lookup[K comparable, V any] struct {
	memory  memory[K, V]
	flights flights[K, V]
	// learn, if set, sees every value a climb found before memory keeps
	// it (the accounts a record names).
	learn func(V)
}

// get returns k's value from memory, else from load: the shared store,
// then Confluence (stored builds that step for a value kept as is).
func (l *lookup[K, V]) get(ctx context.Context, k K, load func(context.Context) (V, error)) (V, error) {
	if v, ok := l.memory.get(k); ok {
		return v, nil
	}
	return l.flights.do(ctx, k, func(ctx context.Context) (V, error) {
		if v, ok := l.memory.get(k); ok { // kept by a climb that just ended
			return v, nil
		}
		v, err := load(ctx)
		if err != nil {
			return v, err
		}
		if l.learn != nil {
			l.learn(v)
		}
		l.memory.put(k, v)
		return v, nil
	})
}

// stored is the store-then-fetch step of a value the shared store keeps
// under key: the stored value, else fetch's, stored for every replica.
func stored[V any](s *store, key string, fetch func(context.Context) (V, error)) func(context.Context) (V, error) {
	return func(ctx context.Context) (V, error) { return loadValue(ctx, s, key, fetch) }
}

// groupMemory is the groups this crawl state knows, which the evaluation
// reads through acl.Directory: never forgotten while the state lives.
type groupMemory struct{ s *crawlState }

func (m groupMemory) get(id string) (groupState, bool) { return m.s.group(id) }
func (m groupMemory) put(id string, g groupState)      { m.s.learnGroup(id, g) }
