package permissions

import (
	"slices"
	"sync"

	"github.com/conflux-dev/conflux/pkg/acl"
)

// crawlState is what this process has learned about one crawl: accounts,
// groups, space grants and restrictions, in front of the shared cache.
// It implements acl.Directory.
type crawlState struct {
	id   string
	keys cacheKeys

	mu    sync.RWMutex
	users map[string]member
	// looking are the users-bulk calls in flight, by account: a document
	// that needs an account another one is already asking about waits
	// for that answer instead of asking again.
	looking map[string]*userFlight
	groups  map[string]groupState
	results *recent[acl.Result] // by verdict key

	// lookups climb to the records the rule reads (lookup).
	lookups struct {
		space lookup[string, spaceRecord]
		restr lookup[string, restrictionRecord]
		group lookup[string, groupState]
		anc   lookup[string, ancestorsRecord]
		// dir is the site's groups, id → name, listed once (directory()).
		dir lookup[string, map[string]string]
	}
}

// groupState is a group as the evaluation reads it; a group that does not
// exist admits nobody.
type groupState struct {
	exists  bool
	name    string
	members []string
}

func newCrawlState(id, permsFrom string, limit int) *crawlState {
	s := &crawlState{
		id: id, keys: keysOf(id, permsFrom),
		users:   map[string]member{},
		looking: map[string]*userFlight{},
		groups:  map[string]groupState{},
		results: newRecent[acl.Result](limit),
	}
	s.lookups.space.memory = newRecent[spaceRecord](limit)
	s.lookups.space.learn = func(r spaceRecord) { s.learnUsers(r.Users) }
	s.lookups.restr.memory = newRecent[restrictionRecord](limit)
	s.lookups.restr.learn = func(r restrictionRecord) { s.learnUsers(r.Users) }
	s.lookups.group.memory = groupMemory{s}
	s.lookups.anc.memory = newRecent[ancestorsRecord](limit)
	s.lookups.dir.memory = newRecent[map[string]string](1)
	return s
}

// Group implements acl.Directory.
func (s *crawlState) Group(id string) (acl.Group, bool) {
	s.mu.RLock()
	g, ok := s.groups[id]
	s.mu.RUnlock()
	if !ok || !g.exists {
		return acl.Group{}, false
	}
	return acl.Group{ID: id, Name: g.name, Members: g.members}, true
}

// Active implements acl.Directory.
func (s *crawlState) Active(accountID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.users[accountID].Active
}

// Email returns an account's known email, or "".
func (s *crawlState) Email(accountID string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.users[accountID].Email
}

func (s *crawlState) learnUsers(ms []member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		s.users[m.ID] = m
	}
}

// userFlight is one users-bulk call in flight; done closes once its
// accounts are learned (or err is set).
type userFlight struct {
	done chan struct{}
	err  error
}

// claimUsers sorts the ids this process knows nothing about into those the
// caller must ask about (mine, under the returned flight, which the caller
// settles with settleUsers) and the flights already asking about the rest.
func (s *crawlState) claimUsers(ids []string) (mine []string, f *userFlight, waits []*userFlight) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	f = &userFlight{done: make(chan struct{})}
	for _, id := range ids {
		if _, ok := s.users[id]; ok || seen[id] {
			continue
		}
		seen[id] = true
		if other := s.looking[id]; other != nil {
			if !slices.Contains(waits, other) {
				waits = append(waits, other)
			}
			continue
		}
		s.looking[id] = f
		mine = append(mine, id)
	}
	return mine, f, waits
}

// settleUsers ends the flight of ids: what it learned is known (learnUsers
// before), its waiters see err.
func (s *crawlState) settleUsers(ids []string, f *userFlight, err error) {
	s.mu.Lock()
	for _, id := range ids {
		delete(s.looking, id)
	}
	s.mu.Unlock()
	f.err = err
	close(f.done)
}

func (s *crawlState) group(id string) (groupState, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.groups[id]
	return g, ok
}

func (s *crawlState) learnGroup(id string, g groupState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = g
}

// crawlStates keeps the state of the few most recent crawls.
type crawlStates struct {
	mu     sync.Mutex
	keep   int
	limit  int
	states []*crawlState // most recently used last
}

// get returns the state of a crawl, creating it and forgetting the least
// recently used one beyond keep.
// find returns the state of a crawl this process has seen.
func (c *crawlStates) find(crawlID string) (*crawlState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.states {
		if s.id == crawlID {
			return s, true
		}
	}
	return nil, false
}

func (c *crawlStates) get(crawlID, permsFrom string) *crawlState {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, s := range c.states {
		if s.id == crawlID {
			c.states = append(append(c.states[:i:i], c.states[i+1:]...), s)
			return s
		}
	}
	s := newCrawlState(crawlID, permsFrom, c.limit)
	c.states = append(c.states, s)
	if len(c.states) > c.keep {
		c.states = c.states[len(c.states)-c.keep:]
	}
	return s
}

// recent is a bounded map that keeps roughly the most recently used
// entries: two generations of at most limit entries each; a hit in the old
// generation moves the entry to the new one.
type recent[T any] struct {
	mu       sync.Mutex
	limit    int
	cur, old map[string]T
}

func newRecent[T any](limit int) *recent[T] {
	return &recent[T]{limit: limit, cur: map[string]T{}, old: map[string]T{}}
}

func (r *recent[T]) get(k string) (T, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.cur[k]; ok {
		return v, true
	}
	v, ok := r.old[k]
	if ok {
		r.putLocked(k, v)
	}
	return v, ok
}

func (r *recent[T]) put(k string, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.putLocked(k, v)
}

func (r *recent[T]) putLocked(k string, v T) {
	if len(r.cur) >= r.limit {
		r.old, r.cur = r.cur, map[string]T{}
	}
	r.cur[k] = v
}
