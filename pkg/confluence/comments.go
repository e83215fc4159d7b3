package confluence

import (
	"context"
	"fmt"
	"iter"
)

// FooterComments streams the root footer comments of a page or blog post
// (GET /wiki/api/v2/{containerKind}/{id}/footer-comments) with storage
// bodies; replies are listed by CommentChildren. Kind is footer and the
// container field matching containerKind is set.
func (c *Client) FooterComments(ctx context.Context, containerKind, id string) iter.Seq2[Comment, error] {
	return c.rootComments(ctx, FooterComment, containerKind, id)
}

// InlineComments streams the root inline comments of a page or blog post
// (GET /wiki/api/v2/{containerKind}/{id}/inline-comments) with storage
// bodies. Kind is inline and the container field is set.
func (c *Client) InlineComments(ctx context.Context, containerKind, id string) iter.Seq2[Comment, error] {
	return c.rootComments(ctx, InlineComment, containerKind, id)
}

func (c *Client) rootComments(ctx context.Context, kind, containerKind, id string) iter.Seq2[Comment, error] {
	k, err := kindPath(containerKind, containerKinds[:2])
	if err != nil {
		return failed[Comment](fmt.Errorf("list %s comments of %s: %w", kind, id, err))
	}
	target := "/wiki/api/v2/" + k + "/" + seg(id) + "/" + kind + "-comments?body-format=storage&limit=" + c.limit(250)
	return list(c, ctx, "list "+kind+" comments of "+k+" "+id, target, func(cm *Comment) {
		cm.Kind = kind
		if cm.ContainerID() != "" {
			return
		}
		if k == KindPages {
			cm.PageID = id
		} else {
			cm.BlogPostID = id
		}
	})
}

// CommentChildren streams the direct replies to a comment
// (GET /wiki/api/v2/{footer|inline}-comments/{id}/children) with storage
// bodies. commentKind is footer or inline. Kind and ParentCommentID are
// set; the API does not name the container of replies (take the parent's,
// or use Comments).
func (c *Client) CommentChildren(ctx context.Context, commentKind, id string) iter.Seq2[Comment, error] {
	k, err := kindPath(commentKind, commentKinds)
	if err != nil {
		return failed[Comment](fmt.Errorf("list replies to comment %s: %w", id, err))
	}
	target := "/wiki/api/v2/" + k + "-comments/" + seg(id) + "/children?body-format=storage&limit=" + c.limit(250)
	return list(c, ctx, "list replies to "+k+" comment "+id, target, func(cm *Comment) {
		cm.Kind = k
		if cm.ParentCommentID == "" {
			cm.ParentCommentID = id
		}
	})
}

// Comments streams every comment of a page or blog post: the footer
// comments, then the inline comments, each followed depth-first by its
// replies, with Kind, the container and ParentCommentID (for replies) set.
// It costs one call per comment on top of the lists, to look for replies.
func (c *Client) Comments(ctx context.Context, containerKind, id string) iter.Seq2[Comment, error] {
	return func(yield func(Comment, error) bool) {
		seen := map[string]bool{}
		for _, roots := range []iter.Seq2[Comment, error]{
			c.FooterComments(ctx, containerKind, id),
			c.InlineComments(ctx, containerKind, id),
		} {
			for cm, err := range roots {
				if err != nil {
					yield(Comment{}, err)
					return
				}
				if !c.withReplies(ctx, cm, seen, yield) {
					return
				}
			}
		}
	}
}

// withReplies yields cm and then its replies, depth-first; false stops.
func (c *Client) withReplies(ctx context.Context, cm Comment, seen map[string]bool, yield func(Comment, error) bool) bool {
	if seen[cm.ID] {
		r := get("/wiki/api/v2/" + cm.Kind + "-comments/" + cm.ID + "/children")
		yield(Comment{}, fmt.Errorf("list comments: %w", invalid(r, "comment %s is its own ancestor", cm.ID)))
		return false
	}
	seen[cm.ID] = true
	if !yield(cm, nil) {
		return false
	}
	for reply, err := range c.CommentChildren(ctx, cm.Kind, cm.ID) {
		if err != nil {
			yield(Comment{}, err)
			return false
		}
		if reply.ContainerID() == "" {
			reply.PageID, reply.BlogPostID = cm.PageID, cm.BlogPostID
			reply.AttachmentID, reply.CustomContentID = cm.AttachmentID, cm.CustomContentID
		}
		if !c.withReplies(ctx, reply, seen, yield) {
			return false
		}
	}
	return true
}
