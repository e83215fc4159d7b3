package confluencesim

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// index is a read-only view of a Tenant with look-up maps, rebuilt after
// every change. Handlers read it under the server's read lock.
type index struct {
	t            *Tenant
	users        map[string]*User  // account id
	usersByEmail map[string]*User  // lower-case email
	groups       map[string]*Group // id (live groups)
	deleted      map[string]*Group // id (deleted groups)
	groupsOf     map[string][]string
	spaces       map[string]*Space // id
	spacesByKey  map[string]*Space
	content      map[string]*Content
	children     map[string][]*Content // page/folder id → child pages and folders, by position
	roots        map[string][]*Content // space id → root pages and folders, by position
	comments     map[string][]*Content // container id → root comments
	replies      map[string][]*Content // comment id → replies
	attachments  map[string]*Attachment
	attsOf       map[string][]*Attachment // container id
	crawlers     map[string]bool
	admins       map[string]bool
}

func newIndex(t *Tenant) *index {
	ix := &index{
		t:            t,
		users:        map[string]*User{},
		usersByEmail: map[string]*User{},
		groups:       map[string]*Group{},
		deleted:      map[string]*Group{},
		groupsOf:     map[string][]string{},
		spaces:       map[string]*Space{},
		spacesByKey:  map[string]*Space{},
		content:      map[string]*Content{},
		children:     map[string][]*Content{},
		roots:        map[string][]*Content{},
		comments:     map[string][]*Content{},
		replies:      map[string][]*Content{},
		attachments:  map[string]*Attachment{},
		attsOf:       map[string][]*Attachment{},
		crawlers:     map[string]bool{},
		admins:       map[string]bool{},
	}
	for _, u := range t.Users {
		ix.users[u.AccountID] = u
		if u.Email != "" {
			ix.usersByEmail[strings.ToLower(u.Email)] = u
		}
	}
	for _, g := range t.DeletedGroups {
		ix.deleted[g.ID] = g
	}
	for _, g := range t.Groups {
		ix.groups[g.ID] = g
		for _, m := range g.Members {
			ix.groupsOf[m] = append(ix.groupsOf[m], g.ID)
		}
	}
	for _, s := range t.Spaces {
		ix.spaces[s.ID] = s
		ix.spacesByKey[s.Key] = s
	}
	for _, c := range t.Content {
		ix.content[c.ID] = c
	}
	for _, c := range t.Content {
		switch {
		case c.Type == "comment" && c.ParentCommentID != "":
			ix.replies[c.ParentCommentID] = append(ix.replies[c.ParentCommentID], c)
		case c.Type == "comment":
			ix.comments[c.ContainerID] = append(ix.comments[c.ContainerID], c)
		case (c.Type == "page" || c.Type == "folder") && c.ParentID != "":
			ix.children[c.ParentID] = append(ix.children[c.ParentID], c)
		case c.Type == "page" || c.Type == "folder":
			ix.roots[c.SpaceID] = append(ix.roots[c.SpaceID], c)
		}
	}
	for _, m := range []map[string][]*Content{ix.children, ix.roots} {
		for _, list := range m {
			slices.SortStableFunc(list, func(a, b *Content) int {
				return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(numID(a.ID), numID(b.ID)))
			})
		}
	}
	for _, a := range t.Attachments {
		ix.attachments[a.ID] = a
		ix.attsOf[a.ContainerID] = append(ix.attsOf[a.ContainerID], a)
	}
	for _, id := range t.Crawlers {
		ix.crawlers[id] = true
	}
	for _, id := range t.Admins {
		ix.admins[id] = true
	}
	return ix
}

// numID is the numeric part of an id ("att123" → 123); 0 when none.
func numID(id string) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(id, "att"), 10, 64)
	return n
}

// attachment finds an attachment by "att123" or "123".
func (ix *index) attachment(id string) *Attachment {
	if a := ix.attachments[id]; a != nil {
		return a
	}
	if !strings.HasPrefix(id, "att") {
		return ix.attachments["att"+id]
	}
	return nil
}

// groupName names a group, live or deleted; a group id found nowhere is
// named by its id.
func (ix *index) groupName(id string) string {
	if g := ix.groups[id]; g != nil {
		return g.Name
	}
	if g := ix.deleted[id]; g != nil {
		return g.Name
	}
	return id
}

// parentOf is the page or folder above c, nil at the root.
func (ix *index) parentOf(c *Content) *Content {
	if c.ParentID == "" {
		return nil
	}
	return ix.content[c.ParentID]
}

// ancestors lists the pages and folders above c, root first. A trashed
// item has none (the API reports parentId null).
func (ix *index) ancestors(c *Content) []*Content {
	var out []*Content
	seen := map[string]bool{c.ID: true}
	for p := ix.parentOf(c); p != nil && !seen[p.ID]; p = ix.parentOf(p) {
		seen[p.ID] = true
		out = append(out, p)
	}
	slices.Reverse(out)
	return out
}

// container is the page or blog post a comment belongs to (the comment's
// own ContainerID, or the one of the comment it replies to).
func (ix *index) container(c *Content) *Content {
	seen := map[string]bool{}
	for c != nil && c.Type == "comment" && !seen[c.ID] {
		seen[c.ID] = true
		if c.ContainerID != "" {
			return ix.content[c.ContainerID]
		}
		c = ix.content[c.ParentCommentID]
	}
	return nil
}

// spaceOf is the space of any content item.
func (ix *index) spaceOf(c *Content) *Space {
	if c.SpaceID == "" {
		if k := ix.container(c); k != nil {
			return ix.spaces[k.SpaceID]
		}
	}
	return ix.spaces[c.SpaceID]
}
