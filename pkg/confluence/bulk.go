package confluence

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
)

// MaxIDs is the most ids one v2 list call takes (the id parameter of
// GET /pages and GET /blogposts holds at most 250).
const MaxIDs = 250

// Expansions of a CQL search that read labels and read restrictions of
// many items per call (GET /wiki/rest/api/search?expand=…).
const (
	ExpandLabels           = "content.metadata.labels"
	ExpandRestrictionUsers = "content.restrictions.read.restrictions.user"
	ExpandRestrictionGroup = "content.restrictions.read.restrictions.group"
	ExpandAncestors        = "content.ancestors"
	ExpandVersion          = "content.version"
	ExpandHistory          = "content.history"
	ExpandContainer        = "content.container"
)

// PagesByID streams the pages with the given ids (GET /wiki/api/v2/pages
// ?id=…), MaxIDs a call, with the bodies and statuses q asks for. Pages
// the caller may not see, or that no longer exist, are simply absent.
func (c *Client) PagesByID(ctx context.Context, ids []string, q ListQuery) iter.Seq2[Page, error] {
	return byIDs[Page](c, ctx, "pages", ids, q)
}

// BlogPostsByID streams the blog posts with the given ids
// (GET /wiki/api/v2/blogposts?id=…), MaxIDs a call.
func (c *Client) BlogPostsByID(ctx context.Context, ids []string, q ListQuery) iter.Seq2[BlogPost, error] {
	q.Depth = ""
	return byIDs[BlogPost](c, ctx, "blogposts", ids, q)
}

func byIDs[T item](c *Client, ctx context.Context, kind string, ids []string, q ListQuery) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for start := 0; start < len(ids); start += MaxIDs {
			batch := ids[start:min(start+MaxIDs, len(ids))]
			v := q.values(c)
			v.Set("id", strings.Join(batch, ","))
			target := withQuery("/wiki/api/v2/"+kind, v)
			for row, err := range list[T](c, ctx, fmt.Sprintf("list %d %s by id", len(batch), kind), target, nil) {
				if !yield(row, err) || err != nil {
					return
				}
			}
		}
	}
}

// SiteComments streams every footer or inline comment of the site that
// the caller may see (GET /wiki/api/v2/footer-comments or
// /inline-comments), 250 a call, with storage bodies, replies included
// (each with ParentCommentID). sort is "" (the API's order),
// "modified-date", "-modified-date", "created-date" or "-created-date";
// newest first lets an incremental crawl stop at its checkpoint. Kind is
// set on every row.
func (c *Client) SiteComments(ctx context.Context, kind, sort string) iter.Seq2[Comment, error] {
	k, err := kindPath(kind, commentKinds)
	if err != nil {
		return failed[Comment](fmt.Errorf("list %s comments: %w", kind, err))
	}
	v := url.Values{"body-format": {BodyStorage}, "limit": {c.limit(250)}}
	setIf(v, "sort", sort)
	target := withQuery("/wiki/api/v2/"+k+"-comments", v)
	return list(c, ctx, "list "+k+" comments of the site", target, func(cm *Comment) { cm.Kind = k })
}

// SiteAttachments streams every attachment of the site that the caller
// may see (GET /wiki/api/v2/attachments), 250 a call; sort as for
// SiteComments.
func (c *Client) SiteAttachments(ctx context.Context, sort string) iter.Seq2[Attachment, error] {
	v := url.Values{"limit": {c.limit(250)}}
	setIf(v, "sort", sort)
	return list[Attachment](c, ctx, "list attachments of the site", withQuery("/wiki/api/v2/attachments", v), nil)
}
