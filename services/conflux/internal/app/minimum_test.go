package app_test

import (
	"fmt"
	"strings"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// minimum is the least number of API calls a full crawl with
// permissions of a tenant needs at the API's largest page sizes, term by
// term (downloads excluded):
//
//   - spaces: the space list, 250 a call;
//   - pages, blog posts: each space's v2 lists with bodies, 250 a call;
//   - labels and restrictions: CQL content search over each space's pages,
//     blog posts and folders, 100 a call;
//   - comments, attachments: the site-wide v2 footer-comment,
//     inline-comment and attachment lists, 250 a call;
//   - space permissions: each space's assignments, 250 a call;
//   - groups: the group list, 200 a call, and each group's members, 200 a
//     call;
//   - users: every account named, 250 a call (users-bulk).
//
// A list that is empty still costs one call.
type minimum struct {
	spaces, pages, blogs, search, comments, attachments, permissions, groups, users int
}

func (m minimum) total() int {
	return m.spaces + m.pages + m.blogs + m.search + m.comments + m.attachments + m.permissions + m.groups + m.users
}

func (m minimum) String() string {
	parts := []string{
		fmt.Sprintf("spaces %d", m.spaces), fmt.Sprintf("pages %d", m.pages), fmt.Sprintf("blog posts %d", m.blogs),
		fmt.Sprintf("CQL labels+restrictions %d", m.search), fmt.Sprintf("comments %d", m.comments),
		fmt.Sprintf("attachments %d", m.attachments), fmt.Sprintf("space permissions %d", m.permissions),
		fmt.Sprintf("groups %d", m.groups), fmt.Sprintf("users %d", m.users),
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" = %d", m.total())
}

// pages is how many calls a list of n rows takes, size a call.
func pagesOf(n, size int) int { return max(1, (n+size-1)/size) }

func minimumCalls(tn *confluencesim.Tenant) minimum {
	var m minimum
	crawled := map[string]bool{}
	for _, s := range tn.Spaces {
		if s.Status == "current" {
			crawled[s.ID] = true
		}
	}
	m.spaces = pagesOf(len(crawled), 250)
	type counts struct{ pages, blogs, folders int }
	per := map[string]*counts{}
	for id := range crawled {
		per[id] = &counts{}
	}
	accounts := map[string]bool{}
	footer, inline := 0, 0
	for _, c := range tn.Content {
		if c.Status != "current" {
			continue
		}
		n := per[c.SpaceID]
		switch {
		case c.Type == "comment" && c.CommentKind == "inline":
			inline++
		case c.Type == "comment":
			footer++
		case n == nil:
		case c.Type == "page":
			n.pages++
		case c.Type == "blogpost":
			n.blogs++
		case c.Type == "folder":
			n.folders++
		}
		for _, r := range [][]string{c.Restrictions.ReadUsers} {
			for _, u := range r {
				accounts[u] = true
			}
		}
	}
	for id, n := range per {
		m.pages += pagesOf(n.pages, 250)
		m.blogs += pagesOf(n.blogs, 250)
		m.search += pagesOf(n.pages+n.blogs+n.folders, 100)
		rows := 0
		for _, s := range tn.Spaces {
			if s.ID == id {
				rows = len(s.Permissions)
				for _, p := range s.Permissions {
					if p.PrincipalType == "user" {
						accounts[p.PrincipalID] = true
					}
				}
			}
		}
		m.permissions += pagesOf(rows, 250)
	}
	attachments := 0
	for _, a := range tn.Attachments {
		if a.Status == "current" {
			attachments++
		}
	}
	m.comments = pagesOf(footer, 250) + pagesOf(inline, 250)
	m.attachments = pagesOf(attachments, 250)
	m.groups = pagesOf(len(tn.Groups), 200)
	for _, g := range tn.Groups {
		m.groups += pagesOf(len(g.Members), 200)
		for _, u := range g.Members {
			accounts[u] = true
		}
	}
	m.users = pagesOf(len(accounts), 250)
	return m
}
