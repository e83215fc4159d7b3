package confluencesim

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// ErrNotFound is returned by the mutation helpers for an unknown id.
var ErrNotFound = errors.New("confluencesim: not found")

// Mutation helpers change the live tenant between crawls, the way users
// change a site. Each takes the write lock; none bumps a version unless
// Confluence would (a restriction or membership change, a move or a
// trash leaves versions and timestamps alone).

func (t *Tenant) newID() string {
	if t.NextID == 0 {
		var hi int64
		for _, c := range t.Content {
			hi = max(hi, numID(c.ID))
		}
		for _, a := range t.Attachments {
			hi = max(hi, numID(a.ID))
		}
		for _, s := range t.Spaces {
			hi = max(hi, numID(s.ID))
		}
		t.NextID = hi + 1
	}
	id := t.NextID
	t.NextID++
	return strconv.FormatInt(id, 10)
}

func findContent(ix *index, id string) (*Content, error) {
	c := ix.content[id]
	if c == nil {
		return nil, fmt.Errorf("content %s: %w", id, ErrNotFound)
	}
	return c, nil
}

// EditPage gives a page, blog post or comment a new body: version + 1,
// updated now.
func (s *Server) EditPage(id, body string) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		c, err := findContent(ix, id)
		if err != nil {
			return err
		}
		c.Body = body
		c.Version++
		c.UpdatedAt = time.Now().UTC()
		return nil
	})
}

// AddPage adds content (Type defaults to page) and returns its id. Empty
// fields are filled: ID (a new one), Status current, Version 1,
// CreatedAt/UpdatedAt now, Position after the last sibling, AuthorID the
// space's author. The space, parent (page or folder of the same space) or
// comment container must exist.
func (s *Server) AddPage(c Content) (string, error) {
	var id string
	err := s.mutate(func(t *Tenant, ix *index) error {
		if c.Type == "" {
			c.Type = "page"
		}
		var sp *Space
		switch {
		case c.Type == "comment" && c.ContainerID != "":
			k, err := findContent(ix, c.ContainerID)
			if err != nil {
				return err
			}
			c.SpaceID = k.SpaceID
		case c.Type == "comment" && c.ParentCommentID != "":
			p, err := findContent(ix, c.ParentCommentID)
			if err != nil {
				return err
			}
			c.SpaceID, c.CommentKind = p.SpaceID, p.CommentKind
		case c.Type == "comment":
			return errors.New("add comment: ContainerID or ParentCommentID required")
		}
		if sp = ix.spaces[c.SpaceID]; sp == nil {
			return fmt.Errorf("space %s: %w", c.SpaceID, ErrNotFound)
		}
		if c.ParentID != "" {
			p, err := findContent(ix, c.ParentID)
			if err != nil {
				return err
			}
			if (p.Type != "page" && p.Type != "folder") || p.SpaceID != c.SpaceID {
				return fmt.Errorf("add page: parent %s is not a page or folder of space %s", p.ID, c.SpaceID)
			}
		}
		if c.ID == "" {
			c.ID = t.newID()
		} else if ix.content[c.ID] != nil {
			return fmt.Errorf("add page: id %s exists", c.ID)
		}
		now := time.Now().UTC()
		c.Status = cmp.Or(c.Status, "current")
		c.AuthorID = cmp.Or(c.AuthorID, sp.AuthorID)
		if c.Version == 0 {
			c.Version = 1
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = c.CreatedAt
		}
		if c.Type == "comment" && c.CommentKind == "" {
			c.CommentKind = "footer"
		}
		if c.Position == 0 && (c.Type == "page" || c.Type == "folder") {
			sib := ix.children[c.ParentID]
			if c.ParentID == "" {
				sib = ix.roots[c.SpaceID]
			}
			if len(sib) > 0 {
				c.Position = sib[len(sib)-1].Position + 100
			}
		}
		cc := c
		t.Content = append(t.Content, &cc)
		id = cc.ID
		return nil
	})
	return id, err
}

// MovePage moves a page or folder under parentID ("" = the root of its
// space; a parent in another space moves the subtree there). Moving under
// itself or a descendant is refused. Versions stay.
func (s *Server) MovePage(id, parentID string) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		c, err := findContent(ix, id)
		if err != nil {
			return err
		}
		if c.Type != "page" && c.Type != "folder" {
			return fmt.Errorf("move %s: a %s has no parent", id, c.Type)
		}
		space := c.SpaceID
		if parentID != "" {
			p, err := findContent(ix, parentID)
			if err != nil {
				return err
			}
			if p.Type != "page" && p.Type != "folder" {
				return fmt.Errorf("move %s: parent %s is a %s", id, parentID, p.Type)
			}
			if p.ID == c.ID || slices.ContainsFunc(ix.ancestors(p), func(a *Content) bool { return a.ID == c.ID }) {
				return fmt.Errorf("move %s: parent %s is inside it", id, parentID)
			}
			space = p.SpaceID
		}
		c.ParentID = parentID
		sib := ix.children[parentID]
		if parentID == "" {
			sib = ix.roots[space]
		}
		c.Position = 0
		if len(sib) > 0 {
			c.Position = sib[len(sib)-1].Position + 100
		}
		if space != c.SpaceID {
			for _, x := range subtree(ix, c) {
				x.SpaceID = space
			}
		}
		return nil
	})
}

// subtree is c, its descendant pages and folders, and the comments of
// all of them.
func subtree(ix *index, c *Content) []*Content {
	out := []*Content{c}
	for i := 0; i < len(out); i++ {
		x := out[i]
		out = append(out, ix.children[x.ID]...)
		out = append(out, ix.comments[x.ID]...)
		out = append(out, ix.replies[x.ID]...)
	}
	return out
}

// TrashContent moves an item to the trash with everything below it
// (descendant pages and folders): status trashed; the API then reports no
// parent. Comments and attachments stay, unlisted while their container
// is trashed.
func (s *Server) TrashContent(id string) error {
	return s.setStatus(id, "trashed")
}

// ArchiveContent archives a page (and its descendants).
func (s *Server) ArchiveContent(id string) error {
	return s.setStatus(id, "archived")
}

func (s *Server) setStatus(id, status string) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		c, err := findContent(ix, id)
		if err != nil {
			return err
		}
		for _, x := range subtree(ix, c) {
			if x.Type != "comment" || x == c {
				x.Status = status
			}
		}
		return nil
	})
}

// DeleteContent purges an item for good with its descendants, their
// comments and attachments: afterwards every endpoint answers 404.
func (s *Server) DeleteContent(id string) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		if a := ix.attachment(id); a != nil {
			t.Attachments = slices.DeleteFunc(t.Attachments, func(x *Attachment) bool { return x == a })
			return nil
		}
		c, err := findContent(ix, id)
		if err != nil {
			return err
		}
		gone := map[string]bool{}
		for _, x := range subtree(ix, c) {
			gone[x.ID] = true
		}
		t.Content = slices.DeleteFunc(t.Content, func(x *Content) bool { return gone[x.ID] })
		t.Attachments = slices.DeleteFunc(t.Attachments, func(a *Attachment) bool { return gone[a.ContainerID] })
		return nil
	})
}

// SetReadRestriction replaces the read restriction of a page, blog post or
// folder (empty lists lift it). Versions and timestamps stay, as live.
func (s *Server) SetReadRestriction(id string, users, groups []string) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		c, err := findContent(ix, id)
		if err != nil {
			return err
		}
		c.Restrictions.ReadUsers, c.Restrictions.ReadGroups = slices.Clone(users), slices.Clone(groups)
		return nil
	})
}

// SetUpdateRestriction replaces the update restriction of an item.
func (s *Server) SetUpdateRestriction(id string, users, groups []string) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		c, err := findContent(ix, id)
		if err != nil {
			return err
		}
		c.Restrictions.UpdateUsers, c.Restrictions.UpdateGroups = slices.Clone(users), slices.Clone(groups)
		return nil
	})
}

// SetGroupMembers replaces a group's members (account ids).
func (s *Server) SetGroupMembers(groupID string, members []string) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		g := ix.groups[groupID]
		if g == nil {
			return fmt.Errorf("group %s: %w", groupID, ErrNotFound)
		}
		g.Members = slices.Clone(members)
		return nil
	})
}

// DeleteGroup deletes a group; restrictions naming it keep its id (and
// the v1 restriction endpoints its name), as live.
func (s *Server) DeleteGroup(groupID string) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		g := ix.groups[groupID]
		if g == nil {
			return fmt.Errorf("group %s: %w", groupID, ErrNotFound)
		}
		t.Groups = slices.DeleteFunc(t.Groups, func(x *Group) bool { return x == g })
		t.DeletedGroups = append(t.DeletedGroups, g)
		for _, sp := range t.Spaces {
			sp.Permissions = slices.DeleteFunc(sp.Permissions, func(p SpacePermission) bool {
				return p.PrincipalType == "group" && p.PrincipalID == groupID
			})
		}
		return nil
	})
}

// AddAttachment attaches a file to a page or blog post and returns its id
// ("att…"). Empty fields are filled: ID, FileID, Status current, Version
// 1, MediaType from the name, times now, Size len(Data) when Data is set.
func (s *Server) AddAttachment(a Attachment) (string, error) {
	var id string
	err := s.mutate(func(t *Tenant, ix *index) error {
		k, err := findContent(ix, a.ContainerID)
		if err != nil {
			return err
		}
		if k.Type != "page" && k.Type != "blogpost" {
			return fmt.Errorf("add attachment: %s is a %s", k.ID, k.Type)
		}
		if a.ID == "" {
			a.ID = "att" + t.newID()
		}
		if a.FileID == "" {
			a.FileID = fmt.Sprintf("%08x-0000-4000-8000-%012x", numID(a.ID), numID(a.ID)*7919)
		}
		a.Status = cmp.Or(a.Status, "current")
		a.MediaType = cmp.Or(a.MediaType, mediaTypeOf(a.Title))
		a.AuthorID = cmp.Or(a.AuthorID, k.AuthorID)
		if a.Version == 0 {
			a.Version = 1
		}
		if a.Data != nil {
			a.Size = int64(len(a.Data))
		}
		now := time.Now().UTC()
		if a.CreatedAt.IsZero() {
			a.CreatedAt = now
		}
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = a.CreatedAt
		}
		ac := a
		t.Attachments = append(t.Attachments, &ac)
		id = ac.ID
		return nil
	})
	return id, err
}

// EditAttachment uploads a new version: data (nil: the same size
// generated from the next seed), version + 1, updated now.
func (s *Server) EditAttachment(id string, data []byte) error {
	return s.mutate(func(t *Tenant, ix *index) error {
		a := ix.attachment(id)
		if a == nil {
			return fmt.Errorf("attachment %s: %w", id, ErrNotFound)
		}
		if data != nil {
			a.Data, a.Size = data, int64(len(data))
		} else {
			a.Data, a.Seed = nil, a.Seed+1
		}
		a.Text = "" // the phrase was of the old bytes
		a.Version++
		a.UpdatedAt = time.Now().UTC()
		return nil
	})
}
