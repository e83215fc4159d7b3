package confluence

import (
	"context"
	"fmt"
	"iter"
)

// Attachments streams the attachments of a page or blog post
// (GET /wiki/api/v2/{containerKind}/{id}/attachments). containerKind is
// pages or blogposts (or custom-content). Each row's ContainerID is id.
func (c *Client) Attachments(ctx context.Context, containerKind, id string) iter.Seq2[Attachment, error] {
	k, err := kindPath(containerKind, containerKinds)
	if err != nil {
		return failed[Attachment](fmt.Errorf("list attachments of %s: %w", id, err))
	}
	target := "/wiki/api/v2/" + k + "/" + seg(id) + "/attachments?limit=" + c.limit(250)
	return list(c, ctx, "list attachments of "+k+" "+id, target, func(a *Attachment) {
		if a.ContainerID() != "" {
			return
		}
		switch k {
		case KindPages:
			a.PageID = id
		case KindBlogPosts:
			a.BlogPostID = id
		default:
			a.CustomContentID = id
		}
	})
}

// Attachment reads one attachment's metadata
// (GET /wiki/api/v2/attachments/{id}).
func (c *Client) Attachment(ctx context.Context, id string) (Attachment, error) {
	return getItem[Attachment](ctx, c, get("/wiki/api/v2/attachments/"+seg(id)), "get attachment "+id)
}

// Labels streams the labels of a page, blog post, attachment or space
// (GET /wiki/api/v2/{kind}/{id}/labels).
func (c *Client) Labels(ctx context.Context, kind, id string) iter.Seq2[Label, error] {
	k, err := kindPath(kind, labelKinds)
	if err != nil {
		return failed[Label](fmt.Errorf("list labels of %s: %w", id, err))
	}
	target := "/wiki/api/v2/" + k + "/" + seg(id) + "/labels?limit=" + c.limit(250)
	return list[Label](c, ctx, "list labels of "+k+" "+id, target, nil)
}
