package confluence

import (
	"context"
	"iter"
	"net/url"
	"strings"
)

// searchMax is the largest CQL page the client asks for.
const searchMax = 100

// SearchCQL streams the results of a CQL query
// (GET /wiki/rest/api/search?cql=…). It follows _links.next to the end:
// pages may be short, even empty, before the last one, and start is
// ignored by the API. CQL does not see archived content and lags behind
// edits by about a minute; quote values in cql with QuoteCQL. expand names
// expansions of the hits, e.g. "content.container".
func (c *Client) SearchCQL(ctx context.Context, cql string, expand ...string) iter.Seq2[SearchResult, error] {
	return c.Search(ctx, cql, SearchOptions{Expand: expand})
}

// SearchOptions tune a CQL search.
type SearchOptions struct {
	// Expand names expansions of the hits, e.g. "content.container".
	Expand []string
	// IncludeArchivedSpaces searches archived spaces too (the API leaves
	// them out by default).
	IncludeArchivedSpaces bool
}

// Search is SearchCQL with options.
func (c *Client) Search(ctx context.Context, cql string, o SearchOptions) iter.Seq2[SearchResult, error] {
	q := url.Values{"cql": {cql}, "limit": {c.limit(searchMax)}}
	if len(o.Expand) > 0 {
		q.Set("expand", strings.Join(o.Expand, ","))
	}
	if o.IncludeArchivedSpaces {
		q.Set("includeArchivedSpaces", "true")
	}
	return list[SearchResult](c, ctx, "search", withQuery("/wiki/rest/api/search", q), nil)
}

// QuoteCQL returns s as a double-quoted CQL string, escaping backslashes
// and then double quotes.
func QuoteCQL(s string) string {
	out := make([]byte, 0, len(s)+2)
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}
