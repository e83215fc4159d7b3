package fetcher

import (
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// item is a content message in the making, with the API kind of its
// container routes ("pages", "blogposts") where it has any.
type item struct {
	kind string
	msg  proto.ContentFetched
}

func updatedAt(v confluence.Version, created time.Time) time.Time {
	if v.CreatedAt.IsZero() {
		return created
	}
	return v.CreatedAt
}

func pageItem(p confluence.Page) item {
	return item{kind: "pages", msg: proto.ContentFetched{
		ID: p.ID, Type: proto.TypePage, Status: p.Status, Title: p.Title, WebUI: p.Links.WebUI,
		ParentID: p.ParentID, ParentType: p.ParentType, Version: p.Version.Number,
		CreatedAt: p.CreatedAt, UpdatedAt: updatedAt(p.Version, p.CreatedAt), AuthorID: p.AuthorID,
		Body: p.Body.Storage.Value,
	}}
}

func blogItem(b confluence.BlogPost) item {
	return item{kind: "blogposts", msg: proto.ContentFetched{
		ID: b.ID, Type: proto.TypeBlogPost, Status: b.Status, Title: b.Title, WebUI: b.Links.WebUI,
		Version: b.Version.Number, CreatedAt: b.CreatedAt, UpdatedAt: updatedAt(b.Version, b.CreatedAt),
		AuthorID: b.AuthorID, Body: b.Body.Storage.Value,
	}}
}

func folderItem(f confluence.Folder) item {
	return item{msg: proto.ContentFetched{
		ID: f.ID, Type: proto.TypeFolder, Status: f.Status, Title: f.Title, WebUI: f.Links.WebUI,
		ParentID: f.ParentID, ParentType: f.ParentType, Version: f.Version.Number,
		CreatedAt: f.CreatedAt, UpdatedAt: updatedAt(f.Version, f.CreatedAt), AuthorID: f.AuthorID,
	}}
}

// commentItem: a comment's parent and container are the page or blog post
// it is on, whatever comment it replies to.
func commentItem(c confluence.Comment, container item) item {
	created := c.Version.CreatedAt
	return item{msg: proto.ContentFetched{
		ID: c.ID, Type: proto.TypeComment, Status: c.Status, Title: c.Title, WebUI: c.Links.WebUI,
		ParentID: container.msg.ID, ParentType: container.msg.Type,
		ContainerID: container.msg.ID, ContainerType: container.msg.Type,
		Version: c.Version.Number, CreatedAt: created, UpdatedAt: created, AuthorID: c.Version.AuthorID,
		Body: c.Body.Storage.Value,
	}}
}

func attachmentMsg(a confluence.Attachment, container item, path []proto.Ancestor) *proto.AttachmentFound {
	return &proto.AttachmentFound{
		ID: a.ID, Title: a.Title, FileName: a.Title, MediaType: a.MediaType, Size: a.FileSize,
		Version: a.Version.Number, CreatedAt: a.CreatedAt, UpdatedAt: updatedAt(a.Version, a.CreatedAt),
		AuthorID: a.Version.AuthorID, WebUI: firstNonEmpty(a.WebUILink, a.Links.WebUI),
		ContainerID: container.msg.ID, ContainerType: container.msg.Type, Ancestors: path,
		DownloadPath: "/rest/api/content/" + container.msg.ID + "/child/attachment/" + a.ID + "/download",
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
