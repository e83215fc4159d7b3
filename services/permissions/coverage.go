package permissions

import (
	"slices"
	"sync"
	"time"
)

// SpaceCoverage says, for one space of one crawl, how many of the accounts
// allowed to read at least one of its documents (listed individually or
// through a group) have an email in the ACLs, and which do not. It counts
// what this process resolved.
type SpaceCoverage struct {
	CrawlID string
	SpaceID string
	// Items is the number of distinct documents resolved.
	Items int
	// Public is the number of public documents among them.
	Public int
	// Principals is the number of distinct allowed accounts.
	Principals int
	// WithEmail is how many of them have an email.
	WithEmail int
	// WithoutEmail lists the account ids without an email, sorted.
	WithoutEmail []string
	// Logged is set once the coverage was logged at the end of the space.
	Logged bool
	// LastItem is when the last document was resolved.
	LastItem time.Time
}

// coverage accumulates SpaceCoverage per crawl and space.
type coverage struct {
	obs    accountObserver
	mu     sync.Mutex
	keep   int
	spaces map[[2]string]*spaceTally
	order  [][2]string
}

type spaceTally struct {
	items  map[string]bool // item → public
	seen   map[string]bool // verdict keys already counted
	emails map[string]bool // account → has email
	logged bool
	last   time.Time
}

// accountObserver counts the accounts put in ACLs (*metrics.Metrics).
type accountObserver interface {
	ACLAccount(hasEmail bool)
}

// newCoverage keeps the coverage of the last keep spaces and tells obs
// (nil: nobody) of each account the first time a space counts it.
func newCoverage(keep int, obs accountObserver) *coverage {
	return &coverage{keep: keep, obs: obs, spaces: map[[2]string]*spaceTally{}}
}

// add counts one resolved document; key identifies its verdict, whose
// accounts are counted once.
func (c *coverage) add(crawlID, spaceID, itemID, key string, public bool, allowed []string, email func(string) string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]string{crawlID, spaceID}
	t, ok := c.spaces[k]
	if !ok {
		t = &spaceTally{items: map[string]bool{}, seen: map[string]bool{}, emails: map[string]bool{}}
		c.spaces[k] = t
		c.order = append(c.order, k)
		if len(c.order) > c.keep {
			delete(c.spaces, c.order[0])
			c.order = c.order[1:]
		}
	}
	t.items[itemID] = public
	t.last = time.Now()
	if t.seen[key] {
		return
	}
	t.seen[key] = true
	for _, id := range allowed {
		had, counted := t.emails[id]
		if had {
			continue
		}
		t.emails[id] = email(id) != ""
		if !counted && c.obs != nil {
			c.obs.ACLAccount(t.emails[id])
		}
	}
}

// snapshot returns the coverage of every space still kept, oldest first.
func (c *coverage) snapshot() []SpaceCoverage {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]SpaceCoverage, 0, len(c.order))
	for _, k := range c.order {
		out = append(out, c.spaces[k].summary(k))
	}
	return out
}

// markLogged records that a space's coverage was logged.
func (c *coverage) markLogged(crawlID, spaceID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.spaces[[2]string{crawlID, spaceID}]; ok {
		t.logged = true
	}
}

func (t *spaceTally) summary(k [2]string) SpaceCoverage {
	s := SpaceCoverage{CrawlID: k[0], SpaceID: k[1], Items: len(t.items),
		Principals: len(t.emails), Logged: t.logged, LastItem: t.last}
	for _, public := range t.items {
		if public {
			s.Public++
		}
	}
	for id, ok := range t.emails {
		if ok {
			s.WithEmail++
		} else {
			s.WithoutEmail = append(s.WithoutEmail, id)
		}
	}
	slices.Sort(s.WithoutEmail)
	return s
}
