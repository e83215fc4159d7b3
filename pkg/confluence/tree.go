package confluence

import (
	"context"
	"fmt"
	"iter"
	"slices"
)

// maxAncestorDepth bounds the ancestors walk against a cycle.
const maxAncestorDepth = 10_000

// DirectChildren streams the pages, folders, whiteboards, databases and
// embeds directly under a page or folder
// (GET /wiki/api/v2/{kind}/{id}/direct-children), in child position order.
// kind is pages or folders (or whiteboards, databases, embeds).
func (c *Client) DirectChildren(ctx context.Context, kind, id string) iter.Seq2[Child, error] {
	k, err := kindPath(kind, treeKinds)
	if err != nil {
		return failed[Child](fmt.Errorf("list children of %s: %w", id, err))
	}
	target := "/wiki/api/v2/" + k + "/" + seg(id) + "/direct-children?limit=" + c.limit(250)
	return list[Child](c, ctx, "list children of "+k+" "+id, target, nil)
}

// Ancestors returns the ancestors of a page or folder, root first
// (GET /wiki/api/v2/{kind}/{id}/ancestors). The endpoint has no cursor: the
// client calls it again for the topmost ancestor it got until an answer is
// empty, so it costs one call per Options.PageSize levels plus one.
func (c *Client) Ancestors(ctx context.Context, kind, id string) ([]Ancestor, error) {
	k, err := kindPath(kind, treeKinds)
	if err != nil {
		return nil, fmt.Errorf("get ancestors of %s: %w", id, err)
	}
	var all []Ancestor // root last while collecting
	seen := map[string]bool{id: true}
	for curKind, cur := k, id; ; {
		r := get("/wiki/api/v2/" + curKind + "/" + seg(cur) + "/ancestors?limit=" + c.limit(250))
		pg, err := fetchPage[Ancestor](ctx, c, r)
		if err != nil {
			return nil, fmt.Errorf("get ancestors of %s %s: %w", k, id, err)
		}
		if len(pg.rows) == 0 {
			slices.Reverse(all)
			return all, nil
		}
		for i := len(pg.rows) - 1; i >= 0; i-- {
			a := pg.rows[i]
			if seen[a.ID] || len(all) >= maxAncestorDepth {
				return nil, fmt.Errorf("get ancestors of %s %s: %w", k, id, invalid(r, "ancestor %s repeats", a.ID))
			}
			seen[a.ID] = true
			all = append(all, a)
		}
		top := pg.rows[0]
		if curKind, err = kindPath(top.Type, treeKinds); err != nil {
			curKind = KindPages // an unknown type: ask as a page
		}
		cur = top.ID
	}
}
