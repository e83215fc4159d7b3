package confluence

import (
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"
)

// Content kinds, as the path segments of the v2 API. Functions taking a
// kind also accept the singular ("page") and the v2 type names
// ("blogpost").
const (
	KindPages         = "pages"
	KindBlogPosts     = "blogposts"
	KindFolders       = "folders"
	KindAttachments   = "attachments"
	KindSpaces        = "spaces"
	KindCustomContent = "custom-content"
	KindWhiteboards   = "whiteboards"
	KindDatabases     = "databases"
	KindEmbeds        = "embeds"
)

// Kinds each call accepts.
var (
	treeKinds      = []string{KindPages, KindFolders, KindWhiteboards, KindDatabases, KindEmbeds}
	containerKinds = []string{KindPages, KindBlogPosts, KindCustomContent}
	labelKinds     = []string{KindPages, KindBlogPosts, KindAttachments, KindSpaces}
	commentKinds   = []string{FooterComment, InlineComment}
)

// kindPath normalizes kind ("page", "pages", "blogpost", …) to its path
// segment and checks it is one of allowed.
func kindPath(kind string, allowed []string) (string, error) {
	k := strings.ToLower(strings.TrimSpace(kind))
	switch k {
	case "page", "folder", "blogpost", "attachment", "space", "whiteboard", "database", "embed":
		k += "s"
	case "blog_post", "blog-post", "blog-posts", "blog_posts":
		k = KindBlogPosts
	case "footer-comments", "footer_comment", "footer-comment":
		k = FooterComment
	case "inline-comments", "inline_comment", "inline-comment":
		k = InlineComment
	}
	if !slices.Contains(allowed, k) {
		return "", fmt.Errorf("%w: kind %q is not one of %s", ErrPermanent, kind, strings.Join(allowed, ", "))
	}
	return k, nil
}

// failed is an iterator that yields err once.
func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// seg escapes one path segment.
func seg(id string) string { return url.PathEscape(id) }

// withQuery appends q to path.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// limit returns the page size to ask for, at most ceiling.
func (c *Client) limit(ceiling int) string {
	return fmt.Sprint(min(c.pageSize, ceiling))
}

// limitOr returns the page size asked by a query (Options.PageSize when
// asked is 0), within 1..ceiling.
func (c *Client) limitOr(asked, ceiling int) string {
	if asked <= 0 {
		asked = c.pageSize
	}
	return fmt.Sprint(min(asked, ceiling))
}
