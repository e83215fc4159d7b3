package confluencesim

// Constructs returns a small tenant whose pages hold, in the storage
// format Confluence writes, each construct whose text is more than its
// markup: a mention of a known user, an include of a page everyone in
// the space reads, an include of a page restricted to one person (which
// readers of the including page may not read), an excerpt-include, a
// Jira issue macro, a status lozenge, an expand, a warning panel and an
// info panel with a title; a page restricted to that one person includes
// the restricted page too (its readers may read it). Pages sit in a
// folder between pages, for breadcrumbs.
//
// crawler@example.com with API token "crawler-token" is the crawler
// account (sees everything).
func Constructs() *Tenant {
	b := newBuilder(20260301, "https://constructs.atlassian.net")
	crawler := b.user("Constructs Crawler", "crawler@example.com", false)
	crawler.APIToken = "crawler-token"
	b.t.Crawlers = []string{crawler.AccountID}
	alice := b.user("Alice Example", "alice@example.com", false)
	bob := b.user("Bob Builder", "bob@example.com", true)
	carol := b.user("Carol Chen", "carol@example.com", false)
	eng := b.group("engineering", alice, bob, carol)

	s := b.space("TEAM", "Team", "global", alice, 1)
	b.grant(s, "group", eng.ID, "read", "create-page")
	home := b.content("page", s, nil, "Team home", "<p>Welcome.</p>", alice, 2)
	s.HomepageID = home.ID
	runbooks := b.content("folder", s, home, "Runbooks", "", alice, 3)
	b.content("page", s, runbooks, "Shared steps",
		"<p>Drain the queue, then restart the workers.</p>", bob, 4)
	b.content("page", s, home, "Glossary",
		`<p>The whole glossary, not only its excerpt.</p>`+
			`<ac:structured-macro ac:name="excerpt" ac:schema-version="1" ac:macro-id="e1"><ac:parameter ac:name="hidden">false</ac:parameter>`+
			`<ac:rich-text-body><p>SLO means service level objective.</p></ac:rich-text-body></ac:structured-macro>`, bob, 5)
	secret := b.content("page", s, home, "Secret plan", "<p>Codename Bluebird acquisition.</p>", carol, 6)
	secret.Restrictions.ReadUsers = []string{carol.AccountID}
	b.content("page", s, runbooks, "Deploy constructs", constructsBody(alice), alice, 7)
	mine := b.content("page", s, home, "Carol's notes", "<p>Notes.</p>"+includeMacro("TEAM", "Secret plan"), carol, 8)
	mine.Restrictions.ReadUsers = []string{carol.AccountID}
	return b.done()
}

// constructsBody is a page holding every construct, as the storage format
// writes each.
func constructsBody(owner *User) string {
	return `<p>Owner: <ac:link><ri:user ri:account-id="` + owner.AccountID + `" /></ac:link></p>` +
		`<p>Fixed in <ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="j1">` +
		`<ac:parameter ac:name="server">System JIRA</ac:parameter><ac:parameter ac:name="serverId">8a7f</ac:parameter>` +
		`<ac:parameter ac:name="key">OPS-4711</ac:parameter></ac:structured-macro> yesterday.</p>` +
		`<p>State: <ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="s1">` +
		`<ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">ROLLED OUT</ac:parameter></ac:structured-macro></p>` +
		`<ac:structured-macro ac:name="expand" ac:schema-version="1" ac:macro-id="x1"><ac:parameter ac:name="title">Rollback steps</ac:parameter>` +
		`<ac:rich-text-body><p>Revert the tag.</p></ac:rich-text-body></ac:structured-macro>` +
		`<ac:structured-macro ac:name="warning" ac:schema-version="1" ac:macro-id="w1"><ac:rich-text-body><p>Never deploy on Fridays.</p></ac:rich-text-body></ac:structured-macro>` +
		`<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="i1"><ac:parameter ac:name="title">Heads up</ac:parameter>` +
		`<ac:rich-text-body><p>Staging first.</p></ac:rich-text-body></ac:structured-macro>` +
		includeMacro("", "Shared steps") +
		`<ac:structured-macro ac:name="excerpt-include" ac:schema-version="1" ac:macro-id="ei1"><ac:parameter ac:name="nopanel">true</ac:parameter>` +
		`<ac:parameter ac:name=""><ac:link><ri:page ri:content-title="Glossary" /></ac:link></ac:parameter></ac:structured-macro>` +
		includeMacro("TEAM", "Secret plan")
}

// includeMacro is an include-page macro naming a page by title, and by
// space key when spaceKey is set.
func includeMacro(spaceKey, title string) string {
	space := ""
	if spaceKey != "" {
		space = ` ri:space-key="` + spaceKey + `"`
	}
	return `<ac:structured-macro ac:name="include" ac:schema-version="1" ac:macro-id="inc-` + title + `">` +
		`<ac:parameter ac:name=""><ac:link><ri:page` + space + ` ri:content-title="` + title + `" /></ac:link></ac:parameter></ac:structured-macro>`
}
