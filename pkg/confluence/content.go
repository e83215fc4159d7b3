package confluence

import (
	"context"
	"iter"
	"net/url"
)

// Body formats for ListQuery.BodyFormat.
const (
	BodyStorage = "storage"
	BodyADF     = "atlas_doc_format"
	BodyNone    = "none"
)

// ListQuery shapes a list of pages or blog posts. The zero value lists with
// storage-format bodies, in the API's default order and statuses (pages:
// current and archived; blog posts: current).
type ListQuery struct {
	// Status filters by status (current, archived, trashed, deleted).
	Status []string
	// BodyFormat is storage (default), atlas_doc_format, or none for no
	// bodies.
	BodyFormat string
	// Sort is id, -id, created-date, modified-date, … ("" for the API's).
	Sort string
	// Depth, for pages only, is all (default) or root.
	Depth string
	// Title keeps only items with this exact (case-insensitive) title.
	Title string
	// Limit is the page size asked for, 1..250; 0 means Options.PageSize.
	Limit int
}

func (q ListQuery) values(c *Client) url.Values {
	v := url.Values{"limit": {c.limitOr(q.Limit, 250)}}
	switch q.BodyFormat {
	case "":
		v.Set("body-format", BodyStorage)
	case BodyNone:
	default:
		v.Set("body-format", q.BodyFormat)
	}
	for _, s := range q.Status {
		v.Add("status", s)
	}
	setIf(v, "sort", q.Sort)
	setIf(v, "depth", q.Depth)
	setIf(v, "title", q.Title)
	return v
}

// SpacePages streams the pages of a space
// (GET /wiki/api/v2/spaces/{id}/pages); folders are not pages and are not
// listed (see DirectChildren).
func (c *Client) SpacePages(ctx context.Context, spaceID string, q ListQuery) iter.Seq2[Page, error] {
	target := withQuery("/wiki/api/v2/spaces/"+seg(spaceID)+"/pages", q.values(c))
	return list[Page](c, ctx, "list pages of space "+spaceID, target, nil)
}

// SpaceBlogPosts streams the blog posts of a space
// (GET /wiki/api/v2/spaces/{id}/blogposts). ListQuery.Depth does not apply.
func (c *Client) SpaceBlogPosts(ctx context.Context, spaceID string, q ListQuery) iter.Seq2[BlogPost, error] {
	q.Depth = ""
	target := withQuery("/wiki/api/v2/spaces/"+seg(spaceID)+"/blogposts", q.values(c))
	return list[BlogPost](c, ctx, "list blog posts of space "+spaceID, target, nil)
}

// Page reads a page with its storage body (GET /wiki/api/v2/pages/{id}).
// It asks explicitly for current, archived and trashed pages, so that a
// trashed page comes back with Status "trashed" rather than as
// ErrNotFound; a purged page, a draft or a folder id is ErrNotFound.
func (c *Client) Page(ctx context.Context, id string) (Page, error) {
	r := get("/wiki/api/v2/pages/" + seg(id) + "?body-format=storage&status=current&status=archived&status=trashed")
	return getItem[Page](ctx, c, r, "get page "+id)
}

// BlogPost reads a blog post with its storage body
// (GET /wiki/api/v2/blogposts/{id}), current or trashed (Status tells);
// a purged blog post or a draft is ErrNotFound.
func (c *Client) BlogPost(ctx context.Context, id string) (BlogPost, error) {
	r := get("/wiki/api/v2/blogposts/" + seg(id) + "?body-format=storage&status=current&status=trashed")
	return getItem[BlogPost](ctx, c, r, "get blog post "+id)
}

// Folder reads a folder (GET /wiki/api/v2/folders/{id}).
func (c *Client) Folder(ctx context.Context, id string) (Folder, error) {
	r := get("/wiki/api/v2/folders/" + seg(id))
	return getItem[Folder](ctx, c, r, "get folder "+id)
}
