package permissions_test

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/pkg/acl/acltest"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/permissions"
)

// tenant is a generated site with deep trees and many restrictions.
func tenant(seed int64) *confluencesim.Tenant {
	return confluencesim.Generate(seed, confluencesim.Size{
		Spaces: 4, PagesPerSpace: 40, BlogsPerSpace: 4, Users: 24, Groups: 5, MaxDepth: 7,
		AttachmentsPerPage: 0.6, CommentsPerPage: 0.8, RestrictedShare: 0.35,
	})
}

// importEmails puts the emails of some hidden-email accounts in the users
// bucket, as `conflux users import` does, and returns the email each
// account should show: visible ones from the API, imported ones from the
// bucket, none for the rest.
func (e *env) importEmails(tn *confluencesim.Tenant) map[string]string {
	e.t.Helper()
	kv, err := e.js.KeyValue(e.ctx, proto.BucketUsers)
	if err != nil {
		e.t.Fatal(err)
	}
	want := map[string]string{}
	hidden := 0
	for _, u := range tn.Users {
		switch {
		case !u.EmailHidden:
			want[u.AccountID] = u.Email
		case hidden%2 == 0 && u.Email != "":
			if _, err := kv.Put(e.ctx, proto.Token(u.AccountID), []byte(u.Email)); err != nil {
				e.t.Fatal(err)
			}
			want[u.AccountID] = u.Email
			fallthrough
		default:
			hidden++
		}
	}
	return want
}

// checkDocs compares every document's ACL with the brute-force reference:
// the ACL expanded with its groups' published members must be exactly the
// accounts the reference lets read the item, public exactly when the
// reference says so, and users exactly the emails of the listed accounts.
func checkDocs(t *testing.T, tn *confluencesim.Tenant, docs map[string]*proto.DocumentReady, emails map[string]string) (principals int) {
	t.Helper()
	ref := acltest.New(tn)
	for id, d := range docs {
		got, public := acl.Expand(d.Document.ACL, acl.Members(d.Groups))
		if want := ref.Public(id); public != want {
			t.Fatalf("%s %s: public %v, reference %v", d.Document.Type, id, public, want)
		}
		if want := ref.Allowed(id); !public && !slices.Equal(got, want) {
			t.Fatalf("%s %s: ACL admits %v, reference %v\nacl %+v", d.Document.Type, id, got, want, d.Document.ACL)
		}
		principals += len(got)
		var wantUsers []string
		for _, a := range d.Document.ACL.AccountIDs {
			if m := emails[a]; m != "" && !slices.Contains(wantUsers, m) {
				wantUsers = append(wantUsers, m)
			}
		}
		slices.Sort(wantUsers)
		if !slices.Equal(d.Document.ACL.Users, wantUsers) && len(wantUsers)+len(d.Document.ACL.Users) > 0 {
			t.Fatalf("%s: users %v, want %v", id, d.Document.ACL.Users, wantUsers)
		}
		for _, g := range d.Groups {
			for _, m := range g.Members {
				if m.Email != emails[m.AccountID] {
					t.Fatalf("%s: group %s member %s email %q, want %q", id, g.ID, m.AccountID, m.Email, emails[m.AccountID])
				}
			}
		}
		if len(d.Document.ACL.Groups) != len(d.Document.ACL.GroupNames) || len(d.Groups) != len(d.Document.ACL.Groups) {
			t.Fatalf("%s: groups %v names %v published %d", id, d.Document.ACL.Groups, d.Document.ACL.GroupNames, len(d.Groups))
		}
	}
	return principals
}

// A crawl through two replicas: every document's ACL equals the
// reference, and every content id's restriction is looked up at most once
// although items arrive in random order, twice, and through two replicas.
func TestCrawlMatchesReferenceWithOneLookupPerNode(t *testing.T) {
	tn := tenant(7)
	e := newEnv(t, tn)
	emails := e.importEmails(tn)
	quick := permissions.WithCoverageEvery(100*time.Millisecond, 500*time.Millisecond)
	e.metrics = metrics.New() // both replicas', summed as Prometheus would
	a, b := e.startReplica(quick), e.startReplica(quick)

	rng := rand.New(rand.NewPCG(7, 1))
	items := e.itemsOf(tn, "crawl-1", rng)
	e.publish(items, "crawl-1")
	e.publish(items[:len(items)/3], "crawl-1-again") // the same items again: new message ids, same crawl
	docs := e.waitDocs(items, func(d *proto.DocumentReady) bool { return d.Document.CrawlID == "crawl-1" })
	principals := checkDocs(t, tn, docs, emails)

	needed := map[string]bool{}
	for _, it := range items {
		for _, id := range it.chain {
			needed[id] = true
		}
	}
	calls := e.calls.restrictionCalls()
	total := 0
	for id, n := range calls {
		if n > 1 {
			t.Errorf("restriction of %s looked up %d times in one crawl", id, n)
		}
		if !needed[id] {
			t.Errorf("restriction of %s looked up but no item needs it", id)
		}
		total += n
	}
	if total != len(needed) {
		t.Errorf("%d restriction look-ups for %d nodes on the items' paths", total, len(needed))
	}
	simCalls := e.sim.Counters().Endpoints["GET /wiki/rest/api/content/{id}/restriction/byOperation/{operationKey}"]
	if simCalls != int64(total) {
		t.Errorf("simulator counted %d restriction calls, the replicas made %d", simCalls, total)
	}
	sa, sb := a.Stats(), b.Stats()
	if sa.Published+sb.Published < int64(len(items)) {
		t.Errorf("published %d+%d, want ≥ %d", sa.Published, sb.Published, len(items))
	}
	if n := sa.SpaceCalls + sb.SpaceCalls; n > int64(len(tn.Spaces)) {
		t.Errorf("%d space permission listings for %d spaces", n, len(tn.Spaces))
	}
	if n := sa.GroupCalls + sb.GroupCalls; n > int64(len(tn.Groups)+len(tn.DeletedGroups)) {
		t.Errorf("%d group look-ups for %d groups", n, len(tn.Groups)+len(tn.DeletedGroups))
	}
	checkCoverage(t, e, tn, items, emails, a, b)
	checkCoverageMetrics(t, e.metrics, a, b)
	t.Logf("%d documents (%d users in the tenant, %d allowed principals in all) match the reference; "+
		"%d restriction calls for %d items (%d distinct nodes on their paths), %d space listings, %d group look-ups, %d ancestor look-ups",
		len(docs), len(tn.Users), principals, total, len(items), len(needed),
		sa.SpaceCalls+sb.SpaceCalls, sa.GroupCalls+sb.GroupCalls, sa.AncestorCalls+sb.AncestorCalls)
}

// A permission-only sync after a restriction and a membership change
// republishes exactly the documents whose ACL changed, each matching the
// new reference, and records the others as written.
func TestPermissionOnlySync(t *testing.T) {
	tn := tenant(11)
	e := newEnv(t, tn)
	emails := e.importEmails(tn)
	e.startReplica()
	rng := rand.New(rand.NewPCG(11, 1))
	items := e.itemsOf(tn, "full-1", rng)
	e.publish(items, "full-1")
	before := e.waitDocs(items, func(d *proto.DocumentReady) bool { return d.Document.CrawlID == "full-1" })
	checkDocs(t, tn, before, emails)

	page, group := mutate(e, tn)
	after := e.sim.Tenant()
	e.calls.reset()
	var sync []crawlItem
	spaces := map[string]bool{}
	for _, it := range items {
		d := before[it.id].Document
		m := &proto.ContentFetched{CrawlID: "perm-2", Kind: proto.CrawlPermissions, SpaceID: d.SpaceID, ID: d.ID,
			Type: d.Type, Title: d.Title, Version: d.Version}
		for _, id := range d.Ancestors {
			m.Ancestors = append(m.Ancestors, proto.Ancestor{ID: id})
		}
		if d.ContainerID != nil {
			m.ContainerID = *d.ContainerID
		}
		sync = append(sync, crawlItem{id: it.id, spaceID: it.spaceID, msg: m, subject: e.sub.Content(d.SpaceID, d.ID)})
		spaces[it.spaceID] = true
	}
	e.publish(sync, "perm-2")
	e.waitOutcomes("perm-2", slices.Collect(maps.Keys(spaces)), 0) // the sync has run
	var outcomes map[string]proto.Outcome
	refBefore, refAfter := acltest.New(tn), acltest.New(after)
	var changed []crawlItem
	for _, it := range items {
		if refBefore.Public(it.id) != refAfter.Public(it.id) || !slices.Equal(refBefore.Allowed(it.id), refAfter.Allowed(it.id)) {
			changed = append(changed, it)
		}
	}
	if len(changed) == 0 {
		t.Fatalf("the mutation of page %s and group %s changed no ACL: pick another", page, group)
	}
	// Every document is either republished (ACL-only, this crawl) or
	// recorded as written unchanged.
	var docs map[string]*proto.DocumentReady
	for {
		docs = map[string]*proto.DocumentReady{}
		outcomes = e.waitOutcomes("perm-2", slices.Collect(maps.Keys(spaces)), 0)
		for _, it := range items {
			d, err := e.lastDoc(it.spaceID, it.id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Document.CrawlID == "perm-2" || outcomes[it.id].State == proto.OutcomeWritten {
				docs[it.id] = d
			}
		}
		if len(docs) == len(items) {
			break
		}
		if e.ctx.Err() != nil {
			t.Fatalf("%d of %d documents synced", len(docs), len(items))
		}
		time.Sleep(100 * time.Millisecond)
	}
	checkDocs(t, after, docs, emails)
	republished := 0
	for _, it := range items {
		d := docs[it.id]
		again := d.Document.CrawlID == "perm-2"
		if again {
			republished++
			if !d.ACLOnly || d.Document.Body != before[it.id].Document.Body || d.Document.Version != before[it.id].Document.Version {
				t.Errorf("%s: republished without ACLOnly or with another body or version", it.id)
			}
		}
		setChanged := slices.ContainsFunc(changed, func(c crawlItem) bool { return c.id == it.id })
		listsGroup := slices.Contains(before[it.id].Document.ACL.Groups, group) || slices.Contains(d.Document.ACL.Groups, group)
		switch {
		case setChanged && !again:
			t.Errorf("%s: readers changed but the document was not republished", it.id)
		case again && !setChanged && !listsGroup:
			t.Errorf("%s: republished although neither its readers nor its groups changed", it.id)
		case !again && outcomes[it.id].State != proto.OutcomeWritten:
			t.Errorf("%s: unchanged but outcome %+v", it.id, outcomes[it.id])
		}
	}
	if n := len(e.calls.byPath); n == 0 {
		t.Errorf("the sync made no Confluence call")
	}
	for p := range e.calls.byPath {
		if slices.ContainsFunc([]string{"/pages", "/blogposts", "/download", "/attachments"}, func(s string) bool {
			return len(p) > len(s) && p[len(p)-len(s):] == s
		}) {
			t.Errorf("a permission-only sync called %s", p)
		}
	}
	t.Logf("restriction on page %s, members of group %s changed: %d of %d documents changed readers, %d republished ACL-only, %d recorded unchanged",
		page, group, len(changed), len(items), republished, len(items)-republished)
}

// mutate restricts a page that has descendants to one active user and
// gives a group that a space grants view a new set of members; it returns
// their ids.
func mutate(e *env, tn *confluencesim.Tenant) (page, group string) {
	parents := map[string]int{}
	for _, c := range tn.Content {
		if c.ParentID != "" {
			parents[c.ParentID]++
		}
	}
	best := 0
	for _, c := range tn.Content {
		if c.Type == "page" && c.Status == "current" && parents[c.ID] > best && len(c.Restrictions.ReadUsers) == 0 {
			page, best = c.ID, parents[c.ID]
		}
	}
	var user string
	for _, u := range tn.Users {
		if u.Active && u.AccountType == "atlassian" && len(tn.Crawlers) > 0 && u.AccountID != tn.Crawlers[0] {
			user = u.AccountID
			break
		}
	}
	for _, s := range tn.Spaces {
		for _, p := range s.Permissions {
			if p.PrincipalType == "group" && p.Key == "read" && group == "" {
				group = p.PrincipalID
			}
		}
	}
	if err := e.sim.SetReadRestriction(page, []string{user}, nil); err != nil {
		e.t.Fatal(err)
	}
	var members []string
	for i, u := range tn.Users {
		if i%2 == 0 {
			members = append(members, u.AccountID)
		}
	}
	if err := e.sim.SetGroupMembers(group, members); err != nil {
		e.t.Fatal(err)
	}
	return page, group
}

// An item Confluence no longer has, and a permission-only sync of an item
// without a document, are recorded as dropped; an item Confluence refuses
// for good (400) is dead-lettered and recorded as failed.
func TestDroppedAndFailedItems(t *testing.T) {
	tn := tenant(3)
	e := newEnv(t, tn)
	e.startReplica()
	space := tn.Spaces[0].ID
	gone := &proto.ContentFetched{CrawlID: "c-drop", Kind: proto.CrawlFull, SpaceID: space, ID: "999999901", Type: "page", Version: 1}
	orphan := &proto.ContentFetched{CrawlID: "c-drop", Kind: proto.CrawlPermissions, SpaceID: space, ID: "999999902", Type: "page", Version: 1}
	bad := &proto.ContentFetched{CrawlID: "c-drop", Kind: proto.CrawlFull, SpaceID: "no-such-space", ID: "999999903", Type: "page", Version: 1}
	e.publish([]crawlItem{
		{id: gone.ID, spaceID: space, msg: gone, subject: e.sub.Content(space, gone.ID)},
		{id: orphan.ID, spaceID: space, msg: orphan, subject: e.sub.Content(space, orphan.ID)},
		{id: bad.ID, spaceID: bad.SpaceID, msg: bad, subject: e.sub.Content(bad.SpaceID, bad.ID)},
	}, "c-drop")
	out := e.waitOutcomes("c-drop", []string{space}, 2)
	for _, id := range []string{gone.ID, orphan.ID} {
		if o := out[id]; o.State != proto.OutcomeDropped || o.Stage != proto.StagePermissions {
			t.Errorf("%s: outcome %+v, want dropped by permissions", id, o)
		}
	}
	failed := e.waitOutcomes("c-drop", []string{bad.SpaceID}, 1)
	if o := failed[bad.ID]; o.State != proto.OutcomeFailed || o.Stage != proto.StagePermissions {
		t.Errorf("%s: outcome %+v, want failed by permissions", bad.ID, o)
	}
	t.Logf("outcomes: %+v %+v", out, failed)
}

// checkCoverage records each space's listing, waits until the replicas
// logged the space's email coverage, and checks it: together they name
// exactly the allowed accounts without an email.
func checkCoverage(t *testing.T, e *env, tn *confluencesim.Tenant, items []crawlItem, emails map[string]string, replicas ...*permissions.Service) {
	t.Helper()
	tr, err := progress.Open(e.ctx, e.js)
	if err != nil {
		t.Fatal(err)
	}
	ref := acltest.New(tn)
	listed := map[string]int{}
	want := map[string]map[string]bool{} // space → accounts without email
	for _, it := range items {
		listed[it.spaceID]++
		if want[it.spaceID] == nil {
			want[it.spaceID] = map[string]bool{}
		}
		for _, a := range ref.Allowed(it.id) {
			if emails[a] == "" && !ref.Public(it.id) {
				want[it.spaceID][a] = true
			}
		}
	}
	for space, n := range listed {
		if err := tr.Listing(e.ctx, "crawl-1", space, proto.Listing{SpaceKey: space, Items: n}); err != nil {
			t.Fatal(err)
		}
	}
	for {
		got := map[string]map[string]bool{}
		logged := 0
		for _, r := range replicas {
			for _, c := range r.Stats().Coverage {
				if c.CrawlID != "crawl-1" {
					continue
				}
				if c.WithEmail+len(c.WithoutEmail) != c.Principals {
					t.Fatalf("coverage %+v does not add up", c)
				}
				if c.Logged {
					logged++
				}
				if got[c.SpaceID] == nil {
					got[c.SpaceID] = map[string]bool{}
				}
				for _, a := range c.WithoutEmail {
					got[c.SpaceID][a] = true
				}
			}
		}
		if logged == len(listed)*len(replicas) {
			for space := range listed {
				if !maps.Equal(got[space], want[space]) {
					t.Fatalf("space %s: accounts without email %v, want %v", space, got[space], want[space])
				}
			}
			return
		}
		if e.ctx.Err() != nil {
			t.Fatalf("%d of %d space coverages logged", logged, len(listed)*len(replicas))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkCoverageMetrics wants conflux_acl_accounts_total and
// conflux_acl_accounts_with_email_total to count what the replicas'
// coverage counted: each space's allowed accounts, and those with an email.
func checkCoverageMetrics(t *testing.T, m *metrics.Metrics, replicas ...*permissions.Service) {
	t.Helper()
	var accounts, withEmail int
	for _, r := range replicas {
		for _, c := range r.Stats().Coverage {
			accounts += c.Principals
			withEmail += c.WithEmail
		}
	}
	got := map[string]float64{}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		for _, x := range f.GetMetric() {
			got[f.GetName()] += x.GetCounter().GetValue()
		}
	}
	if accounts == 0 || withEmail == 0 || withEmail == accounts {
		t.Fatalf("the tenant tests nothing: %d accounts, %d with an email", accounts, withEmail)
	}
	if got["conflux_acl_accounts_total"] != float64(accounts) || got["conflux_acl_accounts_with_email_total"] != float64(withEmail) {
		t.Errorf("metrics: %v accounts, %v with an email; coverage: %d, %d", got["conflux_acl_accounts_total"],
			got["conflux_acl_accounts_with_email_total"], accounts, withEmail)
	}
	t.Logf("ACL email coverage %.0f%% (%d of %d accounts)", 100*float64(withEmail)/float64(accounts), withEmail, accounts)
}

// Groups of more than a thousand members are stored in chunks; a replica
// that finds them in the shared cache reads the chunks back, and the ACLs
// still match the reference.
func TestLargeGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("large tenant")
	}
	tn := confluencesim.Generate(5, confluencesim.Size{
		Spaces: 3, PagesPerSpace: 12, BlogsPerSpace: 2, Users: 2600, Groups: 3, MaxDepth: 4,
		AttachmentsPerPage: 0.3, CommentsPerPage: 0.3, RestrictedShare: 0.4,
	})
	biggest := 0
	for _, g := range tn.Groups {
		biggest = max(biggest, len(g.Members))
	}
	if biggest <= 1000 {
		t.Fatalf("largest group has %d members; the test needs more than one chunk", biggest)
	}
	e := newEnv(t, tn)
	emails := e.importEmails(tn)
	rng := rand.New(rand.NewPCG(5, 1))
	items := e.itemsOf(tn, "big-1", rng)
	first := e.startReplica()
	e.publish(items[:len(items)/4], "big-1")
	e.waitDocs(items[:len(items)/4], func(d *proto.DocumentReady) bool { return d.Document.CrawlID == "big-1" })
	second := e.startReplica()
	e.publish(items[len(items)/4:], "big-1")
	docs := e.waitDocs(items, func(d *proto.DocumentReady) bool { return d.Document.CrawlID == "big-1" })
	principals := checkDocs(t, tn, docs, emails)
	s1, s2 := first.Stats(), second.Stats()
	if n := s1.GroupCalls + s2.GroupCalls; n > int64(len(tn.Groups)+len(tn.DeletedGroups)) {
		t.Errorf("%d group look-ups for %d groups", n, len(tn.Groups)+len(tn.DeletedGroups))
	}
	t.Logf("%d documents, %d users, largest group %d members, %d allowed principals in all; group look-ups %d+%d, user look-ups %d+%d",
		len(docs), len(tn.Users), biggest, principals, s1.GroupCalls, s2.GroupCalls, s1.UserCalls, s2.UserCalls)
}
