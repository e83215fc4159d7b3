package confluence

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// maxEmptyPages bounds a run of empty pages that still announce a next one
// (CQL search may return short and even empty pages before the end).
const maxEmptyPages = 100

// listLinks is the _links object of a list answer (v2 and v1).
type listLinks struct {
	Next string `json:"next"`
}

// listPage is one page of any list answer: v2 {results, _links}, v1
// {results, start, limit, size, _links} and CQL search alike.
type listPage[T any] struct {
	Results []T        `json:"results"`
	Links   *listLinks `json:"_links"`
}

// page is a fetched page: its rows and the target of the next one ("" at
// the end).
type page[T any] struct {
	rows []T
	next string
}

// list streams the rows of a paginated endpoint from first on. Every
// pagination style of the API ends the same way, when the answer has no
// next link: v2 cursors (_links.next, relative with /wiki), v1 start/limit
// (_links.next, relative to the /wiki context), and CQL search, whose short
// pages are not the end. prepare, if not nil, completes each row before it
// is yielded. Errors are wrapped with op.
func list[T item](c *Client, ctx context.Context, op, first string, prepare func(*T)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		fail := func(err error) {
			var zero T
			yield(zero, fmt.Errorf("%s: %w", op, err))
		}
		visited := map[string]bool{}
		empty := 0
		for target := first; target != ""; {
			visited[target] = true
			pg, err := fetchPage[T](ctx, c, get(target))
			if err != nil {
				fail(err)
				return
			}
			for i := range pg.rows {
				if prepare != nil {
					prepare(&pg.rows[i])
				}
				if !yield(pg.rows[i], nil) {
					return
				}
			}
			if empty = empty + 1; len(pg.rows) > 0 {
				empty = 0
			}
			switch {
			case visited[pg.next]:
				fail(invalid(get(target), "next link repeats an earlier page"))
				return
			case empty > maxEmptyPages:
				fail(invalid(get(target), "%d empty pages in a row", empty))
				return
			}
			target = pg.next
		}
	}
}

// fetchPage gets one page of a list and checks its rows.
func fetchPage[T item](ctx context.Context, c *Client, r request) (page[T], error) {
	var pg page[T]
	err := c.do(ctx, r, func(_ context.Context, resp *http.Response, _ *watchdog) error {
		var err error
		pg, err = decodePage[T](r, resp)
		return err
	})
	return pg, err
}

// decodePage reads one page of a list answer: its rows, each checked, and
// the target of the next page.
func decodePage[T item](r request, resp *http.Response) (page[T], error) {
	var lp listPage[T]
	if err := decodeJSON(r, resp, &lp); err != nil {
		return page[T]{}, err
	}
	for i, row := range lp.Results {
		if err := row.check(); err != nil {
			return page[T]{}, invalid(r, "result %d %v", i, err)
		}
	}
	next, err := nextTarget(lp.Links, resp.Header.Get("Link"))
	if err != nil {
		return page[T]{}, invalid(r, "%v", err)
	}
	return page[T]{rows: lp.Results, next: next}, nil
}

// nextTarget returns the target of the next page: from _links.next when
// the answer has _links (no next: the end), else from a Link header's
// rel="next".
func nextTarget(l *listLinks, linkHeader string) (string, error) {
	next := ""
	if l != nil {
		next = l.Next
	} else {
		next = linkRel(linkHeader, "next")
	}
	if next == "" {
		return "", nil
	}
	return wikiTarget(next)
}

// wikiTarget turns a next link into a target relative to the credential's
// base URL, starting with /wiki/: a v2 link already starts with /wiki; a v1
// link is relative to the /wiki context (/rest/api/…); an absolute link
// (whatever its host: credentials go only to the base URL) keeps its path
// from /wiki/ on.
func wikiTarget(link string) (string, error) {
	switch {
	case strings.HasPrefix(link, "/wiki/"):
		return link, nil
	case strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//"):
		return "/wiki" + link, nil
	}
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() {
		return "", errors.New("unusable next link")
	}
	p := u.RequestURI()
	i := strings.Index(p, "/wiki/")
	if i < 0 {
		return "", errors.New("next link outside /wiki")
	}
	return p[i:], nil
}

// linkRel returns the URL of relation rel in a Link header
// (`<url>; rel="next", <url>; rel="base"`), or "". URLs may contain commas.
func linkRel(header, rel string) string {
	rest := header
	for {
		i := strings.IndexByte(rest, '<')
		j := strings.IndexByte(rest[max(i, 0):], '>') + max(i, 0)
		if i < 0 || j < i {
			return ""
		}
		u := rest[i+1 : j]
		rest = rest[j+1:]
		params := rest
		if k := strings.IndexByte(rest, '<'); k >= 0 {
			params = rest[:k]
		}
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.Trim(p, " \t,"), "=")
			if !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for r := range strings.FieldsSeq(strings.Trim(v, `" `)) {
				if strings.EqualFold(r, rel) {
					return u
				}
			}
		}
	}
}
