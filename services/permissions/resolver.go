package permissions

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// contentSource is what the resolver asks Confluence about spaces and
// content (pkg/confluence's Client).
type contentSource interface {
	SpacePermissions(ctx context.Context, spaceID string) iter.Seq2[confluence.SpacePermission, error]
	ReadRestrictions(ctx context.Context, contentID string) (confluence.Restriction, error)
	Ancestors(ctx context.Context, kind, id string) ([]confluence.Ancestor, error)
}

// directorySource is what the resolver asks Confluence about groups and
// accounts (pkg/confluence's Client).
type directorySource interface {
	Groups(ctx context.Context) iter.Seq2[confluence.Group, error]
	GroupMembers(ctx context.Context, groupID string) iter.Seq2[confluence.User, error]
	Users(ctx context.Context, accountIDs []string) ([]confluence.User, error)
}

// confluenceAPI is both.
type confluenceAPI interface {
	contentSource
	directorySource
}

// emailBook is the users bucket (proto.BucketUsers): account id token →
// email, imported from the admin "Export users" CSV.
type emailBook interface {
	Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error)
}

// resolver gathers the inputs of the permission rule for an item, each
// once per crawl (process memory, then the shared cache, then Confluence),
// and evaluates it with package acl.
type resolver struct {
	api    confluenceAPI
	store  *store
	emails emailBook
	crawls *crawlStates
	calls  apiCounters
	// metas reads a crawl's record (proto.CrawlMeta), for the crawl whose
	// permissions an incremental crawl reuses.
	metas interface {
		Meta(ctx context.Context, crawlID string) (proto.CrawlMeta, error)
	}
}

// state is what this process knows of a crawl. An incremental crawl
// reuses the space grants, groups and members of the crawl its record
// names (PermissionsFrom); a record that cannot be read leaves it to its
// own.
func (r *resolver) state(ctx context.Context, crawlID string, kind proto.CrawlKind) *crawlState {
	if st, ok := r.crawls.find(crawlID); ok {
		return st
	}
	from := ""
	if kind == proto.CrawlIncremental && r.metas != nil {
		if m, err := r.metas.Meta(ctx, crawlID); err == nil {
			from = m.PermissionsFrom
		}
	}
	return r.crawls.get(crawlID, from)
}

// apiCounters count the Confluence look-ups this process made.
type apiCounters struct {
	spaces, restrictions, groups, userBatches, ancestors atomic.Int64
}

// missingError says an item cannot be resolved because Confluence no
// longer has it (or one of its ancestors, or its space): the item is
// dropped, not retried.
type missingError struct{ what string }

func (e *missingError) Error() string { return e.what + " not found" }

// verdict is an evaluated item. key identifies the inputs that decided
// it: the space and the restricted nodes on the item's path.
type verdict struct {
	result acl.Result
	state  *crawlState
	key    string
}

// evaluate applies the rule to an item of a space whose path is chain:
// the ids of every node whose read restriction applies (ancestors, and the
// item itself or its container), in any order. Items whose paths carry the
// same restrictions share one evaluation per crawl (most paths carry none).
func (r *resolver) evaluate(ctx context.Context, st *crawlState, spaceID string, chain []string, known map[string]proto.Restriction) (verdict, error) {
	sp, err := r.space(ctx, st, spaceID)
	if err != nil {
		return verdict{}, err
	}
	var restricted []string
	var restrictions []acl.Principals
	groups := slices.Clone(sp.Groups)
	names := map[string]string{}
	for _, id := range chain {
		rec, err := r.restrictionOf(ctx, st, id, known)
		if err != nil {
			return verdict{}, err
		}
		p := acl.Principals{Users: ids(rec.Users)}
		for _, g := range rec.Groups {
			p.Groups = append(p.Groups, g.ID)
			groups = append(groups, g.ID)
			names[g.ID] = g.Name
		}
		if !p.Empty() {
			restricted = append(restricted, id)
			restrictions = append(restrictions, p)
		}
	}
	key := spaceID + "|" + strings.Join(unique(restricted), ",")
	if res, ok := st.results.get(key); ok {
		return verdict{result: res, state: st, key: key}, nil
	}
	for _, id := range unique(groups) {
		if _, err := r.group(ctx, st, id, names[id]); err != nil {
			return verdict{}, err
		}
	}
	space := acl.Space{Anonymous: sp.Anonymous, Principals: acl.Principals{Users: ids(sp.Users), Groups: sp.Groups}}
	res := acl.Evaluate(space, restrictions, st)
	st.results.put(key, res)
	return verdict{result: res, state: st, key: key}, nil
}

// space returns a space's view grants, fetched once per crawl.
func (r *resolver) space(ctx context.Context, st *crawlState, spaceID string) (spaceRecord, error) {
	rec, err := st.lookups.space.get(ctx, spaceID, stored(r.store, st.keys.space(spaceID), func(ctx context.Context) (spaceRecord, error) {
		return r.fetchSpace(ctx, st, spaceID)
	}))
	if err != nil {
		return rec, err
	}
	return found(rec, rec.Found, "space "+spaceID)
}

func (r *resolver) fetchSpace(ctx context.Context, st *crawlState, spaceID string) (spaceRecord, error) {
	r.calls.spaces.Add(1)
	rec := spaceRecord{Found: true}
	var users []string
	for p, err := range r.api.SpacePermissions(ctx, spaceID) {
		if errors.Is(err, confluence.ErrNotFound) {
			return spaceRecord{}, nil
		}
		if err != nil {
			return rec, fmt.Errorf("permissions of space %s: %w", spaceID, err)
		}
		users = rec.grant(p, users)
	}
	rec.Groups = unique(rec.Groups)
	var err error
	rec.Users, err = r.members(ctx, st, unique(users))
	return rec, err
}

// grant adds what a space permission row grants to view the space: a
// group to rec, an account to users (returned), anonymous access to rec.
func (rec *spaceRecord) grant(p confluence.SpacePermission, users []string) []string {
	if p.Operation.Key != "read" || p.Operation.TargetType != "space" {
		return users
	}
	switch p.Principal.Type {
	case "user":
		users = append(users, p.Principal.ID)
	case "group":
		rec.Groups = append(rec.Groups, p.Principal.ID)
	case "role":
		// Only ANONYMOUS is known to grant view; other roles admit
		// nobody here rather than everybody.
		rec.Anonymous = rec.Anonymous || p.Principal.ID == "ANONYMOUS"
	}
	return users
}

// restrictionOf is a node's read restriction: as the message carried it
// from the bulk listing, else looked up.
func (r *resolver) restrictionOf(ctx context.Context, st *crawlState, id string, known map[string]proto.Restriction) (restrictionRecord, error) {
	k, ok := known[id]
	if !ok {
		return r.restriction(ctx, st, id)
	}
	// Every message under a node carries the same record for it: build
	// its members once per crawl.
	if rec, ok := st.lookups.restr.memory.get(id); ok && rec.Found {
		return rec, nil
	}
	rec := restrictionRecord{Found: true}
	for _, g := range k.Groups {
		rec.Groups = append(rec.Groups, groupRef{ID: g.ID, Name: g.Name})
	}
	var err error
	if rec.Users, err = r.members(ctx, st, unique(k.Users)); err != nil {
		return rec, err
	}
	st.lookups.restr.memory.put(id, rec)
	return rec, nil
}

// restriction returns the read restriction of one content id, fetched
// once per crawl.
func (r *resolver) restriction(ctx context.Context, st *crawlState, id string) (restrictionRecord, error) {
	rec, err := st.lookups.restr.get(ctx, id, stored(r.store, st.keys.restriction(id), func(ctx context.Context) (restrictionRecord, error) {
		return r.fetchRestriction(ctx, st, id)
	}))
	if err != nil {
		return rec, err
	}
	return found(rec, rec.Found, "content "+id)
}

func (r *resolver) fetchRestriction(ctx context.Context, st *crawlState, id string) (restrictionRecord, error) {
	r.calls.restrictions.Add(1)
	res, err := r.api.ReadRestrictions(ctx, id)
	if errors.Is(err, confluence.ErrNotFound) {
		return restrictionRecord{}, nil
	}
	if err != nil {
		return restrictionRecord{}, fmt.Errorf("read restriction of %s: %w", id, err)
	}
	rec := restrictionRecord{Found: true}
	users := make([]string, 0, len(res.Users))
	for _, u := range res.Users {
		users = append(users, u.AccountID)
	}
	for _, g := range res.Groups {
		if g.ID != "" && !slices.ContainsFunc(rec.Groups, func(x groupRef) bool { return x.ID == g.ID }) {
			rec.Groups = append(rec.Groups, groupRef{ID: g.ID, Name: g.Name})
		}
	}
	rec.Users, err = r.members(ctx, st, unique(users))
	return rec, err
}

// group makes sure a group and its members are known, fetched once per
// crawl. name is the name a restriction gave it, if any.
func (r *resolver) group(ctx context.Context, st *crawlState, id, name string) (groupState, error) {
	return st.lookups.group.get(ctx, id, func(ctx context.Context) (groupState, error) {
		var fetched *groupState
		rec, err := loadValue(ctx, r.store, st.keys.group(id), func(ctx context.Context) (groupRecord, error) {
			rec, g, err := r.fetchGroup(ctx, st, id, name)
			fetched = &g
			return rec, err
		})
		if err != nil {
			return groupState{}, err
		}
		g := groupState{exists: rec.Exists, name: rec.Name}
		if fetched != nil {
			g = *fetched
		} else if rec.Exists {
			if g.members, err = r.loadChunks(ctx, st, id, rec); err != nil {
				return groupState{}, err
			}
		}
		if g.name == "" {
			g.name = name
		}
		return g, nil
	})
}

// fetchGroup lists a group's members to the end, resolves them and stores
// them in chunks; the caller stores the head record last.
func (r *resolver) fetchGroup(ctx context.Context, st *crawlState, id, name string) (groupRecord, groupState, error) {
	r.calls.groups.Add(1)
	dir, err := r.directory(ctx, st)
	if err != nil {
		return groupRecord{}, groupState{}, err
	}
	known, exists := dir[id]
	if !exists {
		return groupRecord{}, groupState{}, nil // deleted: admits nobody
	}
	if known != "" {
		name = known
	}
	if g, ok := st.group(id); ok { // read with every group's members (prefetch)
		rec, err := r.storeGroup(ctx, st, id, g)
		return rec, g, err
	}
	ids, found, err := r.memberIDs(ctx, id)
	if err != nil || !found {
		return groupRecord{}, groupState{}, err
	}
	if _, err := r.members(ctx, st, ids); err != nil {
		return groupRecord{}, groupState{}, err
	}
	g := groupState{exists: true, name: name, members: ids}
	rec, err := r.storeGroup(ctx, st, id, g)
	return rec, g, err
}

// memberIDs lists a group's members, 200 a call; found is false for a
// group deleted meanwhile.
func (r *resolver) memberIDs(ctx context.Context, id string) (ids []string, found bool, err error) {
	for u, err := range r.api.GroupMembers(ctx, id) {
		if errors.Is(err, confluence.ErrNotFound) {
			return nil, false, nil // deleted: admits nobody
		}
		if err != nil {
			return nil, false, fmt.Errorf("members of group %s: %w", id, err)
		}
		ids = append(ids, u.AccountID)
	}
	return unique(ids), true, nil
}

// storeGroup writes a group's members (already resolved) to the shared
// cache in chunks and returns the head record, which the caller stores
// last.
func (r *resolver) storeGroup(ctx context.Context, st *crawlState, id string, g groupState) (groupRecord, error) {
	ms, err := r.members(ctx, st, g.members)
	if err != nil {
		return groupRecord{}, err
	}
	rec := groupRecord{Exists: true, Name: g.name, Members: len(ms)}
	for start := 0; start < len(ms); start += chunkSize {
		if err := putValue(ctx, r.store, st.keys.groupChunk(id, rec.Chunks), ms[start:min(start+chunkSize, len(ms))]); err != nil {
			return rec, err
		}
		rec.Chunks++
	}
	return rec, nil
}

// prefetchLimit is the largest site whose groups are all read at once.
const prefetchLimit = 500

// prefetchGroups reads the members of every group of a site with at most
// prefetchLimit groups and resolves all of them together, 250 accounts a
// users-bulk call, instead of one users-bulk call per group. Groups are
// then known to this crawl state and stored in the shared cache. Groups
// the shared cache already holds are left to it.
func (r *resolver) prefetchGroups(ctx context.Context, st *crawlState, dir map[string]string) error {
	if len(dir) > prefetchLimit {
		return nil
	}
	all := map[string][]string{}
	var union []string
	for id := range dir {
		if _, cached, err := r.store.get(ctx, st.keys.group(id)); err != nil || cached {
			continue
		}
		ids, found, err := r.memberIDs(ctx, id)
		if err != nil {
			return err
		}
		if found {
			all[id] = ids
			union = append(union, ids...)
		}
	}
	if _, err := r.members(ctx, st, unique(union)); err != nil {
		return err
	}
	for id, ids := range all {
		g := groupState{exists: true, name: dir[id], members: ids}
		rec, err := r.storeGroup(ctx, st, id, g)
		if err != nil {
			return err
		}
		if err := putValue(ctx, r.store, st.keys.group(id), rec); err != nil {
			return err
		}
		st.learnGroup(id, g)
	}
	return nil
}

// directory lists the site's groups (id → name) once per crawl state,
// 200 a call, instead of one look-up per group: a group a restriction or
// a space grant names that the list does not hold was deleted.
func (r *resolver) directory(ctx context.Context, st *crawlState) (map[string]string, error) {
	return st.lookups.dir.get(ctx, "groups", func(ctx context.Context) (map[string]string, error) {
		dir := map[string]string{}
		for g, err := range r.api.Groups(ctx) {
			if err != nil {
				return nil, fmt.Errorf("list groups: %w", err)
			}
			dir[g.ID] = g.Name
		}
		if err := r.prefetchGroups(ctx, st, dir); err != nil {
			return nil, err
		}
		return dir, nil
	})
}

func (r *resolver) loadChunks(ctx context.Context, st *crawlState, id string, rec groupRecord) ([]string, error) {
	out := make([]string, 0, rec.Members)
	for n := range rec.Chunks {
		var ms []member
		if err := getValue(ctx, r.store, st.keys.groupChunk(id, n), &ms); err != nil {
			return nil, fmt.Errorf("members of group %s: %w", id, err)
		}
		st.learnUsers(ms)
		out = append(out, ids(ms)...)
	}
	return out, nil
}

// ancestors returns the path above a page the message did not carry.
func (r *resolver) ancestors(ctx context.Context, st *crawlState, kind, id string) ([]proto.Ancestor, error) {
	rec, err := st.lookups.anc.get(ctx, id, stored(r.store, st.keys.ancestors(id), func(ctx context.Context) (ancestorsRecord, error) {
		return r.fetchAncestors(ctx, kind, id)
	}))
	if err != nil {
		return nil, err
	}
	return found(rec.Ancestors, rec.Found, "content "+id)
}

func (r *resolver) fetchAncestors(ctx context.Context, kind, id string) (ancestorsRecord, error) {
	r.calls.ancestors.Add(1)
	as, err := r.api.Ancestors(ctx, kind, id)
	if errors.Is(err, confluence.ErrNotFound) {
		return ancestorsRecord{}, nil
	}
	if err != nil {
		return ancestorsRecord{}, fmt.Errorf("ancestors of %s: %w", id, err)
	}
	rec := ancestorsRecord{Found: true}
	for _, a := range as {
		rec.Ancestors = append(rec.Ancestors, proto.Ancestor{ID: a.ID, Type: a.Type})
	}
	return rec, nil
}

// members resolves accounts: whether each is active, and its email from
// the API, else from the imported users CSV. Accounts the API does not
// return are not active.
func (r *resolver) members(ctx context.Context, st *crawlState, accountIDs []string) ([]member, error) {
	mine, flight, waits := st.claimUsers(accountIDs)
	if len(mine) > 0 {
		learned, err := r.lookUpUsers(ctx, mine)
		if err == nil {
			st.learnUsers(learned)
		}
		st.settleUsers(mine, flight, err)
		if err != nil {
			return nil, err
		}
	}
	for _, w := range waits {
		select {
		case <-w.done:
			if w.err != nil {
				return nil, w.err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]member, 0, len(accountIDs))
	for _, id := range accountIDs {
		out = append(out, st.users[id])
	}
	return out, nil
}

// lookUpUsers asks Confluence about accounts this process does not know
// (one users-bulk call).
func (r *resolver) lookUpUsers(ctx context.Context, accountIDs []string) ([]member, error) {
	r.calls.userBatches.Add(1)
	users, err := r.api.Users(ctx, accountIDs)
	if err != nil {
		return nil, fmt.Errorf("look up %d users: %w", len(accountIDs), err)
	}
	byID := make(map[string]confluence.User, len(users))
	for _, u := range users {
		byID[u.AccountID] = u
	}
	learned := make([]member, 0, len(accountIDs))
	for _, id := range accountIDs {
		u, ok := byID[id]
		m := member{ID: id, Active: ok && (u.AccountStatus == "" || u.AccountStatus == "active"), Email: u.Email, Name: displayName(u)}
		if m.Email == "" && ok {
			if m.Email, err = r.importedEmail(ctx, id); err != nil {
				return nil, err
			}
		}
		learned = append(learned, m)
	}
	return learned, nil
}

func (r *resolver) importedEmail(ctx context.Context, accountID string) (string, error) {
	if r.emails == nil {
		return "", nil
	}
	e, err := r.emails.Get(ctx, proto.Token(accountID))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("imported email of %s: %w", accountID, err)
	}
	return string(e.Value()), nil
}

func found[T any](v T, ok bool, what string) (T, error) {
	if !ok {
		return v, &missingError{what: what}
	}
	return v, nil
}

func ids(ms []member) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func unique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
