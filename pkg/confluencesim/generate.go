package confluencesim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Size sets how large a generated tenant is. A zero field takes its
// default; a negative count means none.
type Size struct {
	// Spaces is the number of spaces (default 3). With 2 or more, one is a
	// personal space; with 3 or more, one grants anonymous read; with 4 or
	// more, one is archived.
	Spaces int
	// PagesPerSpace counts pages and folders per space (default 20; about
	// one in six is a folder). Some are archived, trashed or drafts.
	PagesPerSpace int
	// BlogsPerSpace is the number of blog posts per space (default 3).
	BlogsPerSpace int
	// Users is the number of ordinary users (default 10), besides the
	// crawler account crawler@example.com / "crawler-token". User i has
	// the API token "token-i" and the email useri@example.com; every fourth
	// hides its email; with 3 or more users one is an app account, with 4
	// or more one is deactivated.
	Users int
	// Groups is the number of groups (default 3); users join each with
	// probability 0.4. A deleted group is referenced by some restrictions.
	Groups int
	// MaxDepth is the deepest level of the page tree, 1 = root only
	// (default 4).
	MaxDepth int
	// AttachmentBytes is the size of the largest attachment in bytes
	// (default 64 KiB); sizes are drawn from 1..AttachmentBytes.
	AttachmentBytes int64
	// AttachmentsPerPage is the mean number of attachments of a page or
	// blog post (default 0.5).
	AttachmentsPerPage float64
	// CommentsPerPage is the mean number of root comments of a page or
	// blog post (default 0.5); two in five get one or two replies.
	CommentsPerPage float64
	// RestrictedShare is the share of pages, folders and blog posts with a
	// read restriction (default 0.1); about half as many more carry an
	// update-only restriction.
	RestrictedShare float64
}

func (s Size) withDefaults() Size {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	def(&s.Spaces, 3)
	def(&s.PagesPerSpace, 20)
	def(&s.BlogsPerSpace, 3)
	def(&s.Users, 10)
	def(&s.Groups, 3)
	def(&s.MaxDepth, 4)
	if s.AttachmentBytes == 0 {
		s.AttachmentBytes = 64 << 10
	}
	deff(&s.AttachmentsPerPage, 0.5)
	deff(&s.CommentsPerPage, 0.5)
	deff(&s.RestrictedShare, 0.1)
	return s
}

// Generate builds a synthetic tenant. The same seed and size always give
// the same tenant. Site is "https://generated.atlassian.net"; the crawler
// account crawler@example.com with API token "crawler-token" sees
// everything (Tenant.Crawlers) and is a Confluence administrator
// (Tenant.Admins).
func Generate(seed int64, size Size) *Tenant {
	size = size.withDefaults()
	g := &generator{b: newBuilder(seed, "https://generated.atlassian.net"), size: size}
	g.people()
	for i := range size.Spaces {
		g.space(i)
	}
	return withRealFiles(g.b.done())
}

type generator struct {
	b      *builder
	size   Size
	users  []*User // ordinary, active, atlassian users
	all    []*User
	groups []*Group
	gone   *Group
}

var words = strings.Fields(`alpha beta release runbook deploy login incident review budget roadmap design api
	search index crawler permission group space folder page draft archive quarterly meeting notes onboarding
	security policy backup restore metrics latency cluster network storage customer support feedback`)

func (g *generator) text(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[g.b.rng.IntN(len(words))]
	}
	return strings.Join(w, " ")
}

func (g *generator) people() {
	b := g.b
	crawler := b.user("Crawler", "crawler@example.com", false)
	crawler.APIToken = "crawler-token"
	b.t.Crawlers = []string{crawler.AccountID}
	b.t.Admins = []string{crawler.AccountID}
	for i := range g.size.Users {
		u := b.user(fmt.Sprintf("User %d", i), fmt.Sprintf("user%d@example.com", i), i%4 == 3)
		u.APIToken = fmt.Sprintf("token-%d", i)
		if u.EmailHidden {
			u.PublicName = fmt.Sprintf("user%d", i)
		}
		g.all = append(g.all, u)
		switch {
		case g.size.Users >= 3 && i == g.size.Users-1:
			u.AccountType, u.DisplayName, u.PublicName = "app", fmt.Sprintf("Automation %d", i), fmt.Sprintf("Automation %d", i)
			u.Email = ""
		case g.size.Users >= 4 && i == g.size.Users-2:
			u.Active = false
		default:
			g.users = append(g.users, u)
		}
	}
	for i := range g.size.Groups {
		var members []*User
		for _, u := range g.all {
			if b.rng.Float64() < 0.4 {
				members = append(members, u)
			}
		}
		g.groups = append(g.groups, b.group(fmt.Sprintf("group-%d", i), members...))
	}
	g.gone = &Group{ID: b.uuid(), Name: "former-team"}
	b.t.DeletedGroups = append(b.t.DeletedGroups, g.gone)
}

func (g *generator) pickUser() *User {
	if len(g.users) == 0 {
		return g.b.t.Users[0]
	}
	return g.users[g.b.rng.IntN(len(g.users))]
}

func (g *generator) space(i int) {
	b := g.b
	owner := g.pickUser()
	typ, key, name := "global", fmt.Sprintf("GEN%d", i), fmt.Sprintf("Generated space %d", i)
	if i == 1 {
		typ, key, name = "personal", "~"+strings.NewReplacer(":", "", "-", "").Replace(owner.AccountID), owner.DisplayName
	}
	s := b.space(key, name, typ, owner, i)
	switch {
	case i == 1:
		b.grant(s, "user", owner.AccountID, "read", "administer", "create-page", "create-blogpost")
	default:
		for _, gr := range g.groups {
			if b.rng.Float64() < 0.6 || len(g.groups) == 1 {
				b.grant(s, "group", gr.ID, "read", "create-page", "create-comment")
			}
		}
		for _, u := range g.all {
			if b.rng.Float64() < 0.2 {
				b.grant(s, "user", u.AccountID, "read")
			}
		}
		b.grant(s, "user", owner.AccountID, "read", "administer")
	}
	if i == 2 {
		b.grant(s, "role", "ANONYMOUS", "read")
	}
	if i == 3 {
		s.Status = "archived"
	}
	g.tree(s)
	for j := range g.size.BlogsPerSpace {
		bp := b.content("blogpost", s, nil, fmt.Sprintf("%s post %d: %s", s.Key, j, g.text(3)), g.body(), g.pickUser(), 24*(j+1))
		g.decorate(bp)
	}
}

func (g *generator) body() string {
	b := g.b
	var sb strings.Builder
	fmt.Fprintf(&sb, "<h2>%s</h2><p>%s</p>", g.text(3), g.text(20+b.rng.IntN(40)))
	if b.rng.IntN(3) == 0 {
		fmt.Fprintf(&sb, `<ac:structured-macro ac:name="info"><ac:rich-text-body><p>%s</p></ac:rich-text-body></ac:structured-macro>`, g.text(8))
	}
	if b.rng.IntN(3) == 0 {
		fmt.Fprintf(&sb, "<ul><li>%s</li><li>%s &amp; %s</li></ul>", g.text(4), g.text(3), g.text(2))
	}
	return sb.String()
}

type node struct {
	c     *Content
	depth int
}

func (g *generator) tree(s *Space) {
	b := g.b
	if g.size.PagesPerSpace == 0 {
		return
	}
	home := b.content("page", s, nil, s.Name+" Home", g.body(), g.pickUser(), 1)
	s.HomepageID = home.ID
	nodes := []node{{home, 1}}
	var folders []node
	for j := 1; j < g.size.PagesPerSpace; j++ {
		var parent *Content
		depth := 1
		if b.rng.IntN(5) > 0 {
			p := nodes[b.rng.IntN(len(nodes))]
			if len(folders) > 0 && b.rng.IntN(3) == 0 {
				p = folders[b.rng.IntN(len(folders))] // folders between pages
			}
			if p.depth < g.size.MaxDepth {
				parent, depth = p.c, p.depth+1
			}
		}
		typ := "page"
		if b.rng.IntN(6) == 0 {
			typ = "folder"
		}
		c := b.content(typ, s, parent, fmt.Sprintf("%s %d %s", s.Key, j, g.text(2)), g.body(), g.pickUser(), 2+j)
		nodes = append(nodes, node{c, depth})
		if typ == "folder" {
			folders = append(folders, node{c, depth})
		}
	}
	for _, n := range nodes {
		if n.c.Type == "page" {
			g.decorate(n.c)
		} else {
			g.restrict(n.c)
		}
	}
	g.statuses(nodes[1:])
}

// statuses archives, trashes and drafts some leaves.
func (g *generator) statuses(nodes []node) {
	b := g.b
	parents := map[string]bool{}
	for _, n := range nodes {
		parents[n.c.ParentID] = true
	}
	for _, n := range nodes {
		if parents[n.c.ID] || n.c.Type != "page" {
			continue
		}
		switch r := b.rng.IntN(100); {
		case r < 6:
			n.c.Status = "archived"
		case r < 9:
			n.c.Status = "trashed"
		case r < 11:
			n.c.Status = "draft"
			n.c.Version = 1
		}
	}
}

// decorate gives a page or blog post versions, labels, restrictions,
// comments and attachments.
func (g *generator) decorate(c *Content) {
	b := g.b
	if v := b.rng.IntN(5); v > 0 {
		b.edit(c, v, 1+b.rng.IntN(400))
	}
	for range b.rng.IntN(3) {
		l := words[b.rng.IntN(len(words))]
		if !slices.Contains(c.Labels, l) {
			c.Labels = append(c.Labels, l)
		}
	}
	g.restrict(c)
	for n := g.count(g.size.CommentsPerPage); n > 0; n-- {
		kind := "footer"
		if b.rng.IntN(3) == 0 {
			kind = "inline"
		}
		root := b.comment(kind, c, nil, "<p>"+g.text(10)+"</p>", g.pickUser(), b.rng.IntN(200))
		if kind == "inline" && b.rng.IntN(3) == 0 {
			root.ResolutionStatus = "resolved"
		}
		for r := b.rng.IntN(5); r > 2; r-- {
			b.comment(kind, c, root, "<p>"+g.text(6)+"</p>", g.pickUser(), b.rng.IntN(200)+200)
		}
	}
	for n := g.count(g.size.AttachmentsPerPage); n > 0; n-- {
		ext := []string{".png", ".pdf", ".txt", ".csv", ".zip"}[b.rng.IntN(5)]
		name := strings.ReplaceAll(g.text(2), " ", "-") + ext
		a := b.attachment(c, name, mediaTypeOf(name), 1+b.rng.Int64N(g.size.AttachmentBytes), g.pickUser(), b.rng.IntN(300))
		if v := b.rng.IntN(3); v > 0 {
			a.Version += v
			a.UpdatedAt = a.CreatedAt.Add(time.Duration(v) * 48 * time.Hour)
		}
		if b.rng.IntN(15) == 0 {
			a.Status = "trashed"
		}
		if b.rng.IntN(4) == 0 {
			a.Labels = []string{words[b.rng.IntN(len(words))]}
		}
	}
}

// count draws a small count with the given mean.
func (g *generator) count(mean float64) int {
	n := 0
	for f := mean; f > 0; f-- {
		if g.b.rng.Float64() < min(f, 1) {
			n++
		}
	}
	if mean > 0 && g.b.rng.Float64() < mean/4 {
		n++
	}
	return n
}

func (g *generator) restrict(c *Content) {
	b := g.b
	r := b.rng.Float64()
	switch {
	case r < g.size.RestrictedShare:
		if len(g.groups) > 0 && b.rng.IntN(2) == 0 {
			c.Restrictions.ReadGroups = append(c.Restrictions.ReadGroups, g.groups[b.rng.IntN(len(g.groups))].ID)
		}
		if b.rng.IntN(8) == 0 {
			c.Restrictions.ReadGroups = append(c.Restrictions.ReadGroups, g.gone.ID)
		}
		for range 1 + b.rng.IntN(3) {
			u := g.pickUser()
			if !slices.Contains(c.Restrictions.ReadUsers, u.AccountID) {
				c.Restrictions.ReadUsers = append(c.Restrictions.ReadUsers, u.AccountID)
			}
		}
		c.Restrictions.UpdateUsers = append([]string(nil), c.Restrictions.ReadUsers[:1]...)
	case r < g.size.RestrictedShare*1.5:
		c.Restrictions.UpdateUsers = []string{g.pickUser().AccountID}
	}
}
