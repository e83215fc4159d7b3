package fetcher

import (
	"context"
	"fmt"
	"slices"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// known is what the bulk CQL pass learned about one page, blog post or
// folder: its labels and its read restriction, each only when the
// expansion was complete.
type known struct {
	cql         bool // a search returned the item (rules.go)
	labels      []string
	labelsOK    bool
	restriction *proto.Restriction
}

// scan is the bulk pass: one CQL search over the space's pages, blog
// posts and folders with their labels and read restrictions expanded (and,
// for the folders, which page lists never contain, their path, version and
// creator), the largest pages the API gives. A capped restriction list is
// read again through its own route; a capped label list is left for the
// per-item route.
func (l *listing) scan(ctx context.Context) error {
	opts := l.searchOptions(confluence.ExpandLabels, confluence.ExpandRestrictionUsers, confluence.ExpandRestrictionGroup,
		confluence.ExpandAncestors, confluence.ExpandVersion, confluence.ExpandHistory)
	for r, err := range l.s.d.Client.Search(ctx, contentCQL(l.sp.SpaceKey), opts) {
		if err != nil {
			return fmt.Errorf("search pages, blog posts and folders: %w", err)
		}
		if err := l.learn(ctx, r.Content); err != nil {
			return err
		}
		if r.Content.Type == proto.TypeFolder {
			l.mu.Lock()
			l.folderHits[r.Content.ID] = r.Content
			l.mu.Unlock()
		}
	}
	return nil
}

// learn records one hit's labels and restriction.
func (l *listing) learn(ctx context.Context, c confluence.SearchContent) error {
	k := known{cql: true}
	if c.Metadata != nil && c.Metadata.Labels.Complete() {
		k.labelsOK = true
		for _, lb := range c.Metadata.Labels.Results {
			k.labels = append(k.labels, lb.Name)
		}
	}
	r, err := l.restrictionOf(ctx, c)
	if err != nil {
		return err
	}
	k.restriction = r
	l.mu.Lock()
	l.known[c.ID] = k
	l.mu.Unlock()
	return nil
}

// restrictionOf is the read restriction a hit carried, or, when the
// expansion was capped, the one its own route returns, paged to the end.
func (l *listing) restrictionOf(ctx context.Context, c confluence.SearchContent) (*proto.Restriction, error) {
	if c.Restrictions == nil || c.Restrictions.Read == nil {
		return nil, nil // not expanded: the resolver looks it up
	}
	rr := c.Restrictions.Read.Restrictions
	if rr.User.Complete() && rr.Group.Complete() {
		return restriction(c.ID, rr.User.Results, rr.Group.Results), nil
	}
	l.fallbacks.Add(1)
	full, err := l.s.d.Client.ReadRestrictions(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("read restriction of %s %s: %w", c.Type, c.ID, err)
	}
	return restriction(c.ID, full.Users, full.Groups), nil
}

func restriction(id string, users []confluence.User, groups []confluence.Group) *proto.Restriction {
	r := &proto.Restriction{ID: id}
	for _, u := range users {
		if u.AccountID != "" && !slices.Contains(r.Users, u.AccountID) {
			r.Users = append(r.Users, u.AccountID)
		}
	}
	for _, g := range groups {
		if g.ID != "" && !slices.ContainsFunc(r.Groups, func(x proto.GroupRef) bool { return x.ID == g.ID }) {
			r.Groups = append(r.Groups, proto.GroupRef{ID: g.ID, Name: g.Name})
		}
	}
	return r
}

// restrictions lists what the bulk pass knows of the nodes on a path and
// of the item itself.
func (l *listing) restrictions(path []proto.Ancestor, self string) []proto.Restriction {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []proto.Restriction
	add := func(id string) {
		if k, ok := l.known[id]; ok && k.restriction != nil {
			out = append(out, *k.restriction)
		}
	}
	for _, a := range path {
		add(a.ID)
	}
	if self != "" {
		add(self)
	}
	return out
}

// knownLabels returns the labels the bulk pass found for an item, and
// whether it found them all.
func (l *listing) knownLabels(id string) ([]string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k, ok := l.known[id]
	return k.labels, ok && k.labelsOK
}
