package fetcher

import (
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/items"
	"github.com/conflux-dev/conflux/proto"
)

// item is a content message in the making, with the API kind of its
// container routes ("pages", "blogposts") where it has any.
type item struct {
	kind string
	msg  proto.ContentFetched
}

func pageItem(p confluence.Page) item { return item{kind: "pages", msg: items.Page(p)} }

func blogItem(b confluence.BlogPost) item { return item{kind: "blogposts", msg: items.BlogPost(b)} }

func folderItem(f confluence.Folder) item { return item{msg: items.Folder(f)} }

// folderFromHit is a folder as the bulk pass returned it.
func folderFromHit(c confluence.SearchContent) item { return item{msg: items.SearchFolder(c)} }

// container names the item as the container of comments and attachments.
func (it item) container() items.Container {
	return items.Container{ID: it.msg.ID, Type: it.msg.Type}
}

func commentItem(c confluence.Comment, container item) item {
	return item{msg: items.Comment(c, container.container())}
}

func attachmentMsg(a confluence.Attachment, container item, path []proto.Ancestor) *proto.AttachmentFound {
	msg := items.Attachment(a, container.container())
	msg.Ancestors = path
	return &msg
}
