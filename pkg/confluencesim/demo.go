package confluencesim

import "strings"

// Demo returns a small hand-made tenant that shows every feature: a
// global space with folders between pages, read restrictions at several
// levels (one naming a deleted group), update-only restrictions, archived,
// trashed and draft pages, blog posts, footer and inline comments with
// replies, attachments with versions and labels; a public (anonymous)
// space, a personal space, a space only HR can read and an archived space;
// users with hidden emails, an app account and a deactivated user.
//
// demo@example.com with API token "demo-token" is the crawler account
// (sees everything) and a Confluence administrator. Every other person has the token "<first name>-token"
// (alice-token, bob-token, …) and sees only what the permissions grant.
func Demo() *Tenant {
	b := newBuilder(20240102, "https://demo.atlassian.net")
	demo := b.user("Demo Crawler", "demo@example.com", false)
	demo.APIToken = "demo-token"
	b.t.Crawlers = []string{demo.AccountID}
	b.t.Admins = []string{demo.AccountID}
	alice := b.user("Alice Example", "alice@example.com", false)
	bob := b.user("Bob Builder", "bob@example.com", true)
	bob.PublicName = "bob"
	carol := b.user("Carol Chen", "carol@example.com", false)
	dave := b.user("Dave Ops", "dave@example.com", true)
	dave.PublicName = "dave"
	erin := b.user("Erin Former", "erin@example.com", false)
	erin.Active = false
	bot := b.user("Jira Automation", "", false)
	bot.AccountType = "app"
	for _, u := range []*User{alice, bob, carol, dave, erin} {
		u.APIToken = strings.ToLower(strings.Fields(u.DisplayName)[0]) + "-token"
	}
	everyone := b.group("confluence-users", alice, bob, carol, dave, erin)
	eng := b.group("engineering", alice, bob, dave, bot)
	leads := b.group("leadership", carol, alice)
	hr := b.group("hr", carol, erin)
	contractors := &Group{ID: b.uuid(), Name: "old-contractors", Members: []string{bob.AccountID}}
	b.t.DeletedGroups = []*Group{contractors}

	demoEngineering(b, alice, bob, carol, dave, bot, eng, leads, contractors)
	demoPublic(b, alice, everyone)
	demoHR(b, carol, hr)

	home := b.space("~"+strings.NewReplacer(":", "", "-", "").Replace(alice.AccountID), "Alice Example", "personal", alice, 30)
	b.grant(home, "user", alice.AccountID, "read", "administer", "create-page")
	notes := b.content("page", home, nil, "Alice's notes", "<p>Ideas for the <em>crawler</em> talk.</p>", alice, 31)
	home.HomepageID = notes.ID

	old := b.space("OLD", "Legacy Wiki", "global", carol, 2)
	old.Status = "archived"
	b.grant(old, "group", everyone.ID, "read")
	oldHome := b.content("page", old, nil, "Legacy Wiki", "<p>This space is archived.</p>", carol, 3)
	old.HomepageID = oldHome.ID
	b.content("page", old, oldHome, "2019 offsite", "<p>Photos and notes.</p>", carol, 4)
	return withRealFiles(b.done())
}

func demoEngineering(b *builder, alice, bob, carol, dave, bot *User, eng, leads, contractors *Group) {
	s := b.space("ENG", "Engineering", "global", alice, 1)
	b.grant(s, "group", eng.ID, "read", "create-page", "create-blogpost", "create-comment", "create-attachment")
	b.grant(s, "group", leads.ID, "read")
	b.grant(s, "user", carol.AccountID, "read", "create-comment")
	b.grant(s, "user", alice.AccountID, "administer")
	home := b.content("page", s, nil, "Engineering Home",
		`<h1>Engineering</h1><p>Welcome to the <strong>engineering</strong> space.</p><ac:structured-macro ac:name="children" />`, alice, 2)
	s.HomepageID = home.ID
	b.edit(home, 4, 200)
	home.Labels = []string{"home"}

	runbooks := b.content("folder", s, home, "Runbooks", "", alice, 3)
	deploy := b.content("page", s, runbooks, "Deploy runbook",
		`<h2>Deploy</h2><ol><li>Tag the release</li><li>Run <code>make deploy</code></li></ol><p>See <ac:link><ri:attachment ri:filename="diagram.png" /></ac:link>.</p>`, dave, 4)
	b.edit(deploy, 2, 48)
	deploy.Labels = []string{"ops", "runbook"}
	deploy.Restrictions.UpdateUsers = []string{dave.AccountID}
	diagram := b.attachment(deploy, "diagram.png", "image/png", 48213, dave, 5)
	diagram.Labels = []string{"diagram"}
	pdf := b.attachment(deploy, "deploy-checklist.pdf", "application/pdf", 183_402, dave, 6)
	pdf.Version, pdf.UpdatedAt, pdf.Comment = 3, pdf.CreatedAt.Add(72*3600e9), "third revision"
	old := b.attachment(deploy, "old-script.sh", "application/x-sh", 912, bob, 7)
	old.Status = "trashed"
	c1 := b.comment("footer", deploy, nil, "<p>Do we still need step 2?</p>", bob, 10)
	b.comment("footer", deploy, c1, "<p>Yes, until the pipeline tags for us.</p>", dave, 12)
	b.comment("footer", deploy, c1, "<p>Thanks!</p>", bob, 13)
	in := b.comment("inline", deploy, nil, "<p>Typo: deploy, not delpoy.</p>", carol, 11)
	in.ResolutionStatus = "resolved"
	b.comment("inline", deploy, in, "<p>Fixed.</p>", dave, 14)
	b.comment("inline", deploy, nil, "<p>Which cluster?</p>", alice, 15)

	incidents := b.content("folder", s, runbooks, "Incidents", "", dave, 5)
	incidents.Restrictions.ReadGroups = []string{eng.ID}
	pm := b.content("page", s, incidents, "Incident 2024-03 postmortem",
		"<p>Root cause: an expired certificate.</p><table><tr><th>Time</th><th>Event</th></tr><tr><td>09:00</td><td>Alert</td></tr></table>", dave, 60)
	pm.Restrictions.ReadUsers = []string{alice.AccountID, dave.AccountID}
	pm.Labels = []string{"incident", "postmortem"}
	b.attachment(pm, "timeline.csv", "text/csv", 2048, dave, 61)

	arch := b.content("page", s, home, "Architecture", "<p>The big picture.</p>", alice, 8)
	arch.Restrictions.UpdateUsers = []string{alice.AccountID}
	arch.Restrictions.UpdateGroups = []string{leads.ID}
	b.content("page", s, arch, "Search design", "<p>An index per site; ACLs as groups and users.</p>", bob, 9)
	sec := b.content("page", s, arch, "Security review", "<p>Findings are restricted.</p>", carol, 20)
	sec.Restrictions.ReadGroups = []string{leads.ID, contractors.ID}
	sec.Restrictions.ReadUsers = []string{dave.AccountID}
	pen := b.content("page", s, sec, "Pen test results", "<p>Two medium findings.</p>", carol, 21)
	pen.Restrictions.ReadUsers = []string{carol.AccountID}
	pen.Restrictions.UpdateUsers = []string{carol.AccountID}

	archived := b.content("page", s, home, "Old design", "<p>Superseded by Search design.</p>", bob, 6)
	archived.Status = "archived"
	trashed := b.content("page", s, home, "Scratch", "<p>Delete me.</p>", bob, 7)
	trashed.Status = "trashed"
	draft := b.content("page", s, home, "Unfinished idea", "<p>TODO</p>", bob, 100)
	draft.Status = "draft"

	archive := b.content("folder", s, nil, "Archive", "", alice, 50)
	plans := b.content("page", s, archive, "2023 plans", "<p>Ship the crawler.</p>", alice, 51)
	plans.Labels = []string{"planning"}

	rel := b.content("blogpost", s, nil, "Release 1.0", "<p>conflux 1.0 is out.</p>", alice, 300)
	rel.Labels = []string{"release"}
	b.attachment(rel, "release-notes.txt", "text/plain", 1500, alice, 301)
	bc := b.comment("footer", rel, nil, "<p>Congratulations!</p>", carol, 302)
	b.comment("footer", rel, bc, "<p>Thank you.</p>", alice, 303)
	b.comment("footer", rel, nil, "<p>Build #4711 finished.</p>", bot, 304)
	off := b.content("blogpost", s, nil, "Team offsite", "<p>Dates and venue.</p>", bob, 310)
	off.Restrictions.ReadGroups = []string{eng.ID}
	gone := b.content("blogpost", s, nil, "Wrong post", "<p>Oops.</p>", bob, 320)
	gone.Status = "trashed"
}

func demoPublic(b *builder, alice *User, everyone *Group) {
	s := b.space("PUB", "Public Docs", "global", alice, 5)
	b.grant(s, "role", "ANONYMOUS", "read")
	b.grant(s, "group", everyone.ID, "read", "create-comment")
	b.grant(s, "user", alice.AccountID, "administer", "create-page")
	home := b.content("page", s, nil, "Public Docs", "<p>Documentation anyone can read.</p>", alice, 6)
	s.HomepageID = home.ID
	gs := b.content("page", s, home, "Getting started", "<p>Download the installer below.</p>", alice, 7)
	gs.Labels = []string{"howto"}
	b.attachment(gs, "installer.zip", "application/zip", 5<<20, alice, 8)
	faq := b.content("page", s, home, "FAQ", "<p><strong>Q:</strong> Is it free? <strong>A:</strong> Yes.</p>", alice, 9)
	b.comment("footer", faq, nil, "<p>Great FAQ.</p>", alice, 10)
}

func demoHR(b *builder, carol *User, hr *Group) {
	s := b.space("HR", "People", "global", carol, 10)
	b.grant(s, "group", hr.ID, "read", "create-page")
	b.grant(s, "user", carol.AccountID, "read", "administer")
	home := b.content("page", s, nil, "People", "<p>Policies and processes.</p>", carol, 11)
	s.HomepageID = home.ID
	b.content("page", s, home, "Holiday policy", "<p>25 days.</p>", carol, 12)
	sal := b.content("page", s, home, "Salaries", "<p>Confidential.</p>", carol, 13)
	sal.Restrictions.ReadUsers = []string{carol.AccountID}
	b.attachment(sal, "salaries-2024.csv", "text/csv", 4096, carol, 14)
}
