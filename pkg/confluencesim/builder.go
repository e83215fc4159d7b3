package confluencesim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// builder hands out ids and timestamps while a tenant is built by Demo or
// Generate.
type builder struct {
	t    *Tenant
	rng  *rand.Rand
	next int64
	base time.Time
}

func newBuilder(seed int64, site string) *builder {
	b := &builder{
		rng:  rand.New(rand.NewPCG(uint64(seed), 0x636f6e666c7578)),
		next: 65537,
		base: time.Date(2024, 1, 2, 9, 0, 0, 0, time.UTC),
	}
	b.t = &Tenant{Site: site}
	b.t.CloudID = b.uuid()
	return b
}

func (b *builder) id() string {
	b.next += 1 + int64(b.rng.IntN(3))
	return strconv.FormatInt(b.next, 10)
}

func (b *builder) uuid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", b.rng.Uint32(), b.rng.IntN(1<<16), b.rng.IntN(1<<12),
		0x8000|b.rng.IntN(1<<14), b.rng.Uint64()&(1<<48-1))
}

func (b *builder) accountID() string { return "557058:" + b.uuid() }

// at is a time some hours after the builder's base, millisecond precision.
func (b *builder) at(hours int) time.Time {
	return b.base.Add(time.Duration(hours)*time.Hour + time.Duration(b.rng.IntN(3_600_000))*time.Millisecond)
}

func (b *builder) user(name, email string, hidden bool) *User {
	u := &User{AccountID: b.accountID(), DisplayName: name, PublicName: name, Email: email, EmailHidden: hidden,
		AccountType: "atlassian", Active: true}
	b.t.Users = append(b.t.Users, u)
	return u
}

func (b *builder) group(name string, members ...*User) *Group {
	g := &Group{ID: b.uuid(), Name: name}
	for _, m := range members {
		g.Members = append(g.Members, m.AccountID)
	}
	b.t.Groups = append(b.t.Groups, g)
	return g
}

func (b *builder) space(key, name, typ string, author *User, hours int) *Space {
	s := &Space{ID: b.id(), Key: key, Name: name, Type: typ, Status: "current", AuthorID: author.AccountID, CreatedAt: b.at(hours)}
	b.t.Spaces = append(b.t.Spaces, s)
	return s
}

func (b *builder) grant(s *Space, principalType, principalID string, ops ...string) {
	for _, op := range ops {
		key, target := op, "space"
		switch op {
		case "create-page":
			key, target = "create", "page"
		case "create-blogpost":
			key, target = "create", "blogpost"
		case "create-comment":
			key, target = "create", "comment"
		case "create-attachment":
			key, target = "create", "attachment"
		}
		s.Permissions = append(s.Permissions, SpacePermission{ID: b.id(), PrincipalType: principalType,
			PrincipalID: principalID, Key: key, TargetType: target})
	}
}

// content adds a page, folder or blog post; parent may be nil.
func (b *builder) content(typ string, s *Space, parent *Content, title, body string, author *User, hours int) *Content {
	c := &Content{ID: b.id(), Type: typ, Status: "current", SpaceID: s.ID, Title: title, Body: body,
		Version: 1, AuthorID: author.AccountID}
	if parent != nil {
		c.ParentID = parent.ID
	}
	c.Position = b.siblings(s.ID, c.ParentID, typ)
	c.CreatedAt = b.at(hours)
	c.UpdatedAt = c.CreatedAt
	if typ == "folder" {
		c.Body = ""
	}
	b.t.Content = append(b.t.Content, c)
	return c
}

func (b *builder) siblings(spaceID, parentID, typ string) int {
	if typ == "blogpost" {
		return 0
	}
	n := 0
	for _, c := range b.t.Content {
		if c.SpaceID == spaceID && c.ParentID == parentID && (c.Type == "page" || c.Type == "folder") {
			n++
		}
	}
	return n * 100
}

// edit gives c a later version.
func (b *builder) edit(c *Content, versions int, hours int) {
	c.Version += versions
	c.UpdatedAt = c.CreatedAt.Add(time.Duration(hours)*time.Hour + time.Duration(b.rng.IntN(3_600_000))*time.Millisecond)
}

func (b *builder) comment(kind string, on *Content, replyTo *Content, body string, author *User, hours int) *Content {
	c := &Content{ID: b.id(), Type: "comment", Status: "current", SpaceID: on.SpaceID, Title: "Re: " + on.Title,
		CommentKind: kind, Body: body, Version: 1, AuthorID: author.AccountID}
	if replyTo != nil {
		c.ParentCommentID = replyTo.ID
	} else {
		c.ContainerID = on.ID
	}
	if kind == "inline" {
		c.ResolutionStatus = "open"
	}
	c.CreatedAt = maxTime(on.CreatedAt, b.base).Add(time.Duration(hours)*time.Hour + time.Duration(b.rng.IntN(3_600_000))*time.Millisecond)
	c.UpdatedAt = c.CreatedAt
	b.t.Content = append(b.t.Content, c)
	return c
}

func (b *builder) attachment(on *Content, title, mediaType string, size int64, author *User, hours int) *Attachment {
	a := &Attachment{ID: "att" + b.id(), ContainerID: on.ID, Title: title, MediaType: mediaType, FileID: b.uuid(),
		Status: "current", Size: size, Seed: b.rng.Int64(), Version: 1, AuthorID: author.AccountID}
	a.CreatedAt = maxTime(on.CreatedAt, b.base).Add(time.Duration(hours)*time.Hour + time.Duration(b.rng.IntN(3_600_000))*time.Millisecond)
	a.UpdatedAt = a.CreatedAt
	b.t.Attachments = append(b.t.Attachments, a)
	return a
}

func (b *builder) done() *Tenant {
	b.t.NextID = b.next + 1
	return b.t
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// mediaTypeOf guesses a media type from a file name's extension.
func mediaTypeOf(name string) string {
	for ext, mt := range map[string]string{".png": "image/png", ".jpg": "image/jpeg", ".pdf": "application/pdf",
		".txt": "text/plain", ".csv": "text/csv", ".zip": "application/zip", ".json": "application/json",
		".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"} {
		if len(name) > len(ext) && name[len(name)-len(ext):] == ext {
			return mt
		}
	}
	return "application/octet-stream"
}
