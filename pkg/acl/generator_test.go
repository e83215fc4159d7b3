package acl_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// randomTenant builds a small tenant that stresses the permission rule:
// few users so groups often fall wholly inside an allowed set, inactive
// accounts, hidden emails, groups (some empty, some deleted while still
// named), anonymous spaces, noise permission rows that grant no view,
// deep trees of pages and folders with read restrictions on several
// levels, update-only restrictions, blog posts, comments and attachments.
func randomTenant(rng *rand.Rand) *confluencesim.Tenant {
	g := gen{rng: rng, t: &confluencesim.Tenant{Site: "https://prop.example.net"}}
	g.people(1 + rng.IntN(14))
	g.groups(rng.IntN(7))
	for range 1 + rng.IntN(3) {
		g.space()
	}
	return g.t
}

type gen struct {
	rng    *rand.Rand
	t      *confluencesim.Tenant
	nextID int
}

func (g *gen) id() string { g.nextID++; return fmt.Sprint(1000 + g.nextID) }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) people(n int) {
	for i := range n {
		g.t.Users = append(g.t.Users, &confluencesim.User{
			AccountID: fmt.Sprintf("acc-%02d", i), Email: fmt.Sprintf("u%02d@prop.example.net", i),
			EmailHidden: g.chance(0.3), Active: g.chance(0.8), AccountType: "atlassian",
		})
	}
}

func (g *gen) groups(n int) {
	for i := range n {
		grp := &confluencesim.Group{ID: fmt.Sprintf("grp-%d", i), Name: fmt.Sprintf("group %d", i)}
		for _, u := range g.t.Users {
			if g.chance(0.35) {
				grp.Members = append(grp.Members, u.AccountID)
			}
		}
		if g.chance(0.1) {
			grp.Members = append(grp.Members, "acc-unknown") // an account the tenant does not have
		}
		if g.chance(0.15) {
			g.t.DeletedGroups = append(g.t.DeletedGroups, grp)
			continue
		}
		g.t.Groups = append(g.t.Groups, grp)
	}
}

// someUsers picks a few account ids (possibly inactive or unknown).
func (g *gen) someUsers(p float64) []string {
	var out []string
	for _, u := range g.t.Users {
		if g.chance(p) {
			out = append(out, u.AccountID)
		}
	}
	if g.chance(0.05) {
		out = append(out, "acc-unknown")
	}
	return out
}

// someGroups picks a few group ids, deleted ones and unknown ids included.
func (g *gen) someGroups(p float64) []string {
	var out []string
	for _, grp := range append(append([]*confluencesim.Group{}, g.t.Groups...), g.t.DeletedGroups...) {
		if g.chance(p) {
			out = append(out, grp.ID)
		}
	}
	if g.chance(0.05) {
		out = append(out, "grp-never-existed")
	}
	return out
}

func (g *gen) space() {
	s := &confluencesim.Space{ID: g.id(), Key: fmt.Sprintf("S%d", g.nextID), Type: "global", Status: "current"}
	grant := func(typ, id, key, target string) {
		s.Permissions = append(s.Permissions, confluencesim.SpacePermission{
			ID: g.id(), PrincipalType: typ, PrincipalID: id, Key: key, TargetType: target})
	}
	if g.chance(0.3) {
		grant("role", "ANONYMOUS", "read", "space")
	}
	for _, u := range g.someUsers(0.3) {
		grant("user", u, "read", "space")
	}
	for _, id := range g.someGroups(0.4) {
		grant("group", id, "read", "space")
	}
	for _, u := range g.someUsers(0.2) { // rows that grant no view
		grant("user", u, []string{"create", "administer", "delete"}[g.rng.IntN(3)], "space")
	}
	for _, u := range g.someUsers(0.1) {
		grant("user", u, "read", "page")
	}
	if g.chance(0.1) {
		grant("role", "ANONYMOUS", "create", "page")
	}
	g.t.Spaces = append(g.t.Spaces, s)
	var nodes []*confluencesim.Content // pages and folders
	for range 1 + g.rng.IntN(25) {
		c := g.content(s, "page")
		if g.chance(0.25) {
			c.Type = "folder"
		}
		if len(nodes) > 0 && g.chance(0.85) {
			// prefer the newest nodes as parents: deep chains
			c.ParentID = nodes[len(nodes)-1-g.rng.IntN(min(len(nodes), 3))].ID
		}
		nodes = append(nodes, c)
	}
	var containers []*confluencesim.Content
	for _, c := range nodes {
		if c.Type == "page" {
			containers = append(containers, c)
		}
	}
	for range g.rng.IntN(4) {
		containers = append(containers, g.content(s, "blogpost"))
	}
	for _, c := range containers {
		for range g.rng.IntN(3) {
			cm := g.content(s, "comment")
			cm.ContainerID, cm.CommentKind = c.ID, "footer"
			cm.Restrictions = confluencesim.Restrictions{} // comments carry none
		}
		for range g.rng.IntN(3) {
			g.t.Attachments = append(g.t.Attachments, &confluencesim.Attachment{
				ID: "att" + g.id(), ContainerID: c.ID, Title: "f.txt", Status: "current", Version: 1})
		}
	}
}

func (g *gen) content(s *confluencesim.Space, typ string) *confluencesim.Content {
	c := &confluencesim.Content{ID: g.id(), Type: typ, Status: "current", SpaceID: s.ID, Title: "t", Version: 1}
	if g.chance(0.35) {
		c.Restrictions.ReadUsers = g.someUsers(0.5)
		c.Restrictions.ReadGroups = g.someGroups(0.3)
	}
	if g.chance(0.25) {
		c.Restrictions.UpdateUsers = g.someUsers(0.3)
		c.Restrictions.UpdateGroups = g.someGroups(0.3)
	}
	g.t.Content = append(g.t.Content, c)
	return c
}
