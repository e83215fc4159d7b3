package confluence

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
)

// SpaceQuery filters Spaces. The zero value lists every space the caller
// may view, current and archived, sorted by id.
type SpaceQuery struct {
	// IDs and Keys restrict the list to these spaces (at most 250 each).
	IDs, Keys []string
	// Type is global, personal, … ("" for all).
	Type string
	// Status is current or archived ("" for both).
	Status string
	// Sort is id (default), -id, key, -key, name or -name.
	Sort string
	// Limit is the page size asked for, 1..250; 0 means Options.PageSize.
	Limit int
}

// Spaces streams the spaces the caller may view (GET /wiki/api/v2/spaces),
// one page of Options.PageSize at a time.
func (c *Client) Spaces(ctx context.Context, q SpaceQuery) iter.Seq2[Space, error] {
	v := url.Values{"limit": {c.limitOr(q.Limit, 250)}}
	if len(q.IDs) > 0 {
		v.Set("ids", strings.Join(q.IDs, ","))
	}
	if len(q.Keys) > 0 {
		v.Set("keys", strings.Join(q.Keys, ","))
	}
	setIf(v, "type", q.Type)
	setIf(v, "status", q.Status)
	setIf(v, "sort", q.Sort)
	return func(yield func(Space, error) bool) {
		for sp, err := range list[Space](c, ctx, "list spaces", withQuery("/wiki/api/v2/spaces", v), nil) {
			if !yield(sp, refusedList(err)) || err != nil {
				return
			}
		}
	}
}

// refusedList reads a 404 on the space list, a route that always exists,
// as what it is: Confluence's v2 answer to wrong credentials. The error
// is then of class ErrUnauthorized.
func refusedList(err error) error {
	var e *Error
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &e) {
		return err
	}
	refused := *e
	refused.class = ErrUnauthorized
	refused.Detail = strings.TrimPrefix(joinDetail(e.Detail, "Confluence answers 404 to wrong credentials on the v2 API: "+
		"check auth.email and auth.api_token (or the OAuth grant) and the site URL"), ": ")
	return fmt.Errorf("list spaces: %w", &refused)
}

// Space reads one space by id (GET /wiki/api/v2/spaces/{id}).
func (c *Client) Space(ctx context.Context, id string) (Space, error) {
	r := get("/wiki/api/v2/spaces/" + seg(id))
	return getItem[Space](ctx, c, r, "get space "+id)
}

// setIf sets key to value when value is not empty.
func setIf(v url.Values, key, value string) {
	if value != "" {
		v.Set(key, value)
	}
}

// getItem reads one item and checks it.
func getItem[T item](ctx context.Context, c *Client, r request, op string) (T, error) {
	v, err := getJSON[T](ctx, c, r)
	if err == nil {
		if cerr := v.check(); cerr != nil {
			err = invalid(r, "answer %v", cerr)
		}
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", op, err)
	}
	return v, nil
}
