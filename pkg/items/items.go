// Package items turns Confluence API rows (pkg/confluence) into the wire
// messages of the crawl (proto): a page, blog post, folder or comment
// into a ContentFetched, an attachment into an AttachmentFound. The crawl
// fields (crawl id, kind, space) and the path are the caller's to fill.
package items

import (
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// updatedAt is when an item last changed: its version's date, else its
// creation.
func updatedAt(v confluence.Version, created time.Time) time.Time {
	if v.CreatedAt.IsZero() {
		return created
	}
	return v.CreatedAt
}

// Page is a page with its storage body.
func Page(p confluence.Page) proto.ContentFetched {
	return proto.ContentFetched{
		ID: p.ID, Type: proto.TypePage, Status: p.Status, Title: p.Title, WebUI: p.Links.WebUI,
		ParentID: p.ParentID, ParentType: p.ParentType, Version: p.Version.Number,
		CreatedAt: p.CreatedAt, UpdatedAt: updatedAt(p.Version, p.CreatedAt), AuthorID: p.AuthorID,
		Body: p.Body.Storage.Value,
	}
}

// BlogPost is a blog post with its storage body.
func BlogPost(b confluence.BlogPost) proto.ContentFetched {
	return proto.ContentFetched{
		ID: b.ID, Type: proto.TypeBlogPost, Status: b.Status, Title: b.Title, WebUI: b.Links.WebUI,
		Version: b.Version.Number, CreatedAt: b.CreatedAt, UpdatedAt: updatedAt(b.Version, b.CreatedAt),
		AuthorID: b.AuthorID, Body: b.Body.Storage.Value,
	}
}

// Folder is a folder (folders have no body).
func Folder(f confluence.Folder) proto.ContentFetched {
	return proto.ContentFetched{
		ID: f.ID, Type: proto.TypeFolder, Status: f.Status, Title: f.Title, WebUI: f.Links.WebUI,
		ParentID: f.ParentID, ParentType: f.ParentType, Version: f.Version.Number,
		CreatedAt: f.CreatedAt, UpdatedAt: updatedAt(f.Version, f.CreatedAt), AuthorID: f.AuthorID,
	}
}

// SearchFolder is a folder as a CQL search returned it, with the
// ancestors, version and history expansions: its parent is the last node
// of its path, its author the creator.
func SearchFolder(c confluence.SearchContent) proto.ContentFetched {
	msg := proto.ContentFetched{
		ID: c.ID, Type: proto.TypeFolder, Status: c.Status, Title: c.Title, WebUI: c.Links.WebUI,
		Version: c.Version.Number, UpdatedAt: c.Version.When,
	}
	if n := len(c.Ancestors); n > 0 {
		msg.ParentID, msg.ParentType = c.Ancestors[n-1].ID, c.Ancestors[n-1].Type
	}
	if c.History != nil {
		msg.CreatedAt, msg.AuthorID = c.History.CreatedDate, c.History.CreatedBy.AccountID
	}
	if msg.UpdatedAt.IsZero() {
		msg.UpdatedAt = msg.CreatedAt
	}
	return msg
}

// Path is a search hit's ancestors as a path, root first, with their
// titles.
func Path(as []confluence.SearchContainer) []proto.Ancestor {
	out := make([]proto.Ancestor, 0, len(as))
	for _, a := range as {
		out = append(out, proto.Ancestor{ID: a.ID, Type: a.Type, Title: a.Title})
	}
	return out
}

// Container names the page or blog post a comment or attachment is on.
type Container struct {
	ID, Type string
}

// ContainerOf is the page or blog post of a comment ("" ID when the API
// did not name one, as on some replies).
func ContainerOf(c confluence.Comment) Container { return containerOf(c.PageID, c.BlogPostID) }

// AttachmentContainer is the page or blog post of an attachment.
func AttachmentContainer(a confluence.Attachment) Container {
	return containerOf(a.PageID, a.BlogPostID)
}

func containerOf(pageID, blogPostID string) Container {
	switch {
	case pageID != "":
		return Container{ID: pageID, Type: proto.TypePage}
	case blogPostID != "":
		return Container{ID: blogPostID, Type: proto.TypeBlogPost}
	}
	return Container{}
}

// Comment is a comment on its container: a comment's parent and container
// are the page or blog post it is on, whatever comment it replies to.
func Comment(c confluence.Comment, k Container) proto.ContentFetched {
	created := c.Version.CreatedAt
	return proto.ContentFetched{
		ID: c.ID, Type: proto.TypeComment, Status: c.Status, Title: c.Title, WebUI: c.Links.WebUI,
		ParentID: k.ID, ParentType: k.Type, ContainerID: k.ID, ContainerType: k.Type,
		Version: c.Version.Number, CreatedAt: created, UpdatedAt: created, AuthorID: c.Version.AuthorID,
		Body: c.Body.Storage.Value,
	}
}

// Attachment is an attachment to download from its container, with the
// v1 REST download path (relative to /wiki) that the API serves to token
// callers.
func Attachment(a confluence.Attachment, k Container) proto.AttachmentFound {
	webui := a.Links.WebUI
	if strings.TrimSpace(a.WebUILink) != "" {
		webui = a.WebUILink
	}
	return proto.AttachmentFound{
		ID: a.ID, Title: a.Title, FileName: a.Title, MediaType: a.MediaType, Size: a.FileSize,
		Version: a.Version.Number, CreatedAt: a.CreatedAt, UpdatedAt: updatedAt(a.Version, a.CreatedAt),
		AuthorID: a.Version.AuthorID, WebUI: webui,
		ContainerID: k.ID, ContainerType: k.Type,
		DownloadPath: "/rest/api/content/" + k.ID + "/child/attachment/" + a.ID + "/download",
	}
}
