package confluencesim

import (
	"net/url"
	"slices"
	"testing"
)

// mayView is the permission rule written out independently of the
// simulator: space view (user, group or anonymous grant) and the read
// restriction of the item and of every ancestor.
func mayView(t *Tenant, u *User, c *Content) bool {
	byID := map[string]*Content{}
	for _, x := range t.Content {
		byID[x.ID] = x
	}
	member := map[string]bool{}
	for _, g := range t.Groups {
		if slices.Contains(g.Members, u.AccountID) {
			member[g.ID] = true
		}
	}
	for c.Type == "comment" {
		if c.ParentCommentID != "" {
			c = byID[c.ParentCommentID]
		} else {
			c = byID[c.ContainerID]
		}
	}
	var space *Space
	for _, s := range t.Spaces {
		if s.ID == c.SpaceID {
			space = s
		}
	}
	ok := false
	for _, p := range space.Permissions {
		if p.Key == "read" && p.TargetType == "space" &&
			((p.PrincipalType == "user" && p.PrincipalID == u.AccountID) || (p.PrincipalType == "group" && member[p.PrincipalID]) ||
				(p.PrincipalType == "role" && p.PrincipalID == "ANONYMOUS")) {
			ok = true
		}
	}
	for x := c; ok && x != nil; x = byID[x.ParentID] {
		r := x.Restrictions
		if len(r.ReadUsers)+len(r.ReadGroups) == 0 {
			continue
		}
		pass := slices.Contains(r.ReadUsers, u.AccountID)
		for _, g := range r.ReadGroups {
			pass = pass || member[g]
		}
		ok = pass
	}
	return ok
}

// TestPermissionsBruteForce: for every active user with a token, what the
// lists return equals the rule evaluated item by item.
func TestPermissionsBruteForce(t *testing.T) {
	for name, tn := range map[string]*Tenant{"demo": Demo(), "generated": Generate(21, Size{Spaces: 3, PagesPerSpace: 30, Users: 8, RestrictedShare: 0.3})} {
		t.Run(name, func(t *testing.T) {
			s := start(t, tn, Options{})
			spaceStatus := map[string]string{}
			for _, sp := range tn.Spaces {
				spaceStatus[sp.ID] = sp.Status
			}
			for _, u := range tn.Users {
				if !u.Active || u.APIToken == "" || u.Email == "" || slices.Contains(tn.Crawlers, u.AccountID) {
					continue
				}
				auth := basic(u.Email, u.APIToken)
				var wantPages, wantBlogs, wantSearch []string
				for _, c := range tn.Content {
					if !mayView(tn, u, c) {
						continue
					}
					switch {
					case c.Type == "page" && (c.Status == "current" || c.Status == "archived"):
						wantPages = append(wantPages, c.ID)
					case c.Type == "blogpost" && c.Status == "current":
						wantBlogs = append(wantBlogs, c.ID)
					}
					if c.Type != "comment" && c.Status == "current" && spaceStatus[c.SpaceID] == "current" {
						wantSearch = append(wantSearch, c.ID)
					}
				}
				gotPages := ids(walkV2(t, s, "/wiki/api/v2/pages?limit=250", auth))
				gotBlogs := ids(walkV2(t, s, "/wiki/api/v2/blogposts?limit=250", auth))
				var gotSearch []string
				path := "/wiki/rest/api/search?limit=100&cql=" + url.QueryEscape("type in (page, blogpost, folder)")
				for path != "" {
					r := mustGet(t, s.URL()+path, auth)
					gotSearch = append(gotSearch, ids(contentOf(results(r)))...)
					path = ""
					if n, ok := links(r)["next"].(string); ok {
						path = "/wiki" + n
					}
				}
				for _, cmp := range []struct {
					what      string
					got, want []string
				}{{"pages", gotPages, wantPages}, {"blog posts", gotBlogs, wantBlogs}, {"search", gotSearch, wantSearch}} {
					g, w := slices.Sorted(slices.Values(cmp.got)), slices.Sorted(slices.Values(cmp.want))
					if !slices.Equal(g, w) {
						t.Errorf("%s: %s\n got  %v\n want %v", u.DisplayName, cmp.what, g, w)
					}
				}
			}
		})
	}
}
