package app_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

// tenantSize is the generated tenant of the end-to-end tests: a few
// hundred documents, deep trees with folders, restrictions on several
// levels, groups, hidden emails, an anonymous and a personal space.
var tenantSize = confluencesim.Size{Spaces: 4, PagesPerSpace: 30, BlogsPerSpace: 3, Users: 12, Groups: 4, MaxDepth: 5}

// changeSize is the tenant of the tests that crawl more than once to see
// what a change does (an edit, a deletion, a vanished space, a full
// store) or look for one kind of content (archived): every kind of space, user, group and restriction of tenantSize,
// a third of its pages. No listing here reaches a page of results (250)
// either way, and the sink is still checked field by field against the
// whole tenant after each change.
var changeSize = confluencesim.Size{Spaces: 4, PagesPerSpace: 10, BlogsPerSpace: 2, Users: 12, Groups: 4, MaxDepth: 5}

func requireOK(t *testing.T, res proto.CrawlFinished) {
	t.Helper()
	if !res.OK {
		t.Fatalf("crawl %s not ok:\n%s", res.CrawlID, strings.Join(res.Failures, "\n"))
	}
}

func TestFullCrawlMatchesTenant(t *testing.T) {
	h := start(t, confluencesim.Generate(11, tenantSize), confluencesim.Options{}, nil)
	res := h.crawl(proto.CrawlFull, false)
	requireOK(t, res)
	tn := h.sim.Tenant()
	checkSink(t, h, tn)
	reportCalls(t, h, res)

	// The documents stream alone rebuilds the index: no Confluence call.
	before := h.sim.Counters().Requests
	if err := os.RemoveAll(h.cfg.Sink.Dir); err != nil {
		t.Fatal(err)
	}
	n, err := h.app.RebuildSink(context.Background())
	if err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	checkSink(t, h, tn)
	if after := h.sim.Counters().Requests; after != before {
		t.Errorf("the rebuild called Confluence %d times", after-before)
	}
	t.Logf("rebuilt %d documents from the documents stream", n)
}

func TestFullCrawlWithFaultsAndRateLimits(t *testing.T) {
	h := start(t, confluencesim.Generate(12, tenantSize),
		confluencesim.Options{Faults: 0.1, Rate: 25, Burst: 10, Seed: 5,
			// A request already on its way on another connection when a
			// Retry-After goes out is not a violation; on a loaded CI
			// machine (every package's tests at once, -race) "on its
			// way" can last longer than the default 500ms. The same
			// connection still gets no grace at all.
			ViolationGrace: 2 * time.Second}, nil)
	res := h.crawl(proto.CrawlFull, false)
	requireOK(t, res)
	checkSink(t, h, h.sim.Tenant())
	c := h.sim.Counters()
	if c.RetryAfterViolations != 0 {
		t.Errorf("%d requests came before their Retry-After", c.RetryAfterViolations)
	}
	var faults int64
	for _, n := range c.Faults {
		faults += n
	}
	if faults == 0 || c.RateLimited == 0 {
		t.Errorf("the simulator injected %d faults and %d 429s; the test proves nothing without them", faults, c.RateLimited)
	}
	t.Logf("survived %d injected faults and %d 429s with %d requests", faults, c.RateLimited, c.Requests)
}

func TestSecondCrawlAfterMutations(t *testing.T) {
	h := start(t, confluencesim.Generate(13, changeSize), confluencesim.Options{}, nil)
	requireOK(t, h.crawl(proto.CrawlFull, false))
	tn := h.sim.Tenant()
	pages := currentOf(tn, "page")
	if len(pages) < 6 {
		t.Fatalf("tenant too small: %d pages", len(pages))
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(h.sim.EditPage(pages[0].ID, "<p>edited after the first crawl</p>"))
	_, err := h.sim.AddPage(confluencesim.Content{SpaceID: pages[1].SpaceID, ParentID: pages[1].ID,
		Title: "Added after the first crawl", Body: "<p>new</p>"})
	must(err)
	must(h.sim.MovePage(pages[2].ID, ""))
	must(h.sim.TrashContent(pages[3].ID))
	must(h.sim.DeleteContent(pages[4].ID))
	requireOK(t, h.crawl(proto.CrawlFull, false))
	checkSink(t, h, h.sim.Tenant())
}

func TestPermissionOnlySyncFollowsRestrictionAndMembershipChanges(t *testing.T) {
	h := start(t, confluencesim.Generate(14, changeSize), confluencesim.Options{}, nil)
	requireOK(t, h.crawl(proto.CrawlFull, false))
	tn := h.sim.Tenant()
	pages := currentOf(tn, "page")
	var someone string
	for _, u := range tn.Users {
		if u.Active && u.AccountType == "atlassian" {
			someone = u.AccountID
			break
		}
	}
	if err := h.sim.SetReadRestriction(pages[0].ID, []string{someone}, nil); err != nil {
		t.Fatal(err)
	}
	// A move changes what a page inherits without a new version.
	for _, p := range pages[1:] {
		if p.SpaceID == pages[0].SpaceID && p.ParentID != pages[0].ID {
			if err := h.sim.MovePage(p.ID, pages[0].ID); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if len(tn.Groups) > 0 {
		if err := h.sim.SetGroupMembers(tn.Groups[0].ID, []string{someone}); err != nil {
			t.Fatal(err)
		}
	}
	before := h.sim.Counters()
	requireOK(t, h.crawl(proto.CrawlPermissions, false))
	after := h.sim.Counters()
	checkSink(t, h, h.sim.Tenant())
	for ep, n := range after.Endpoints {
		if (strings.Contains(ep, "download") || strings.Contains(ep, "comments") || strings.Contains(ep, "attachments")) && n > before.Endpoints[ep] {
			t.Errorf("permission-only sync fetched content again: %s", ep)
		}
	}
	t.Logf("permission-only sync: %d requests", after.Requests-before.Requests)
}

func TestIncrementalCrawlPicksUpChanges(t *testing.T) {
	h := start(t, confluencesim.Generate(15, changeSize), confluencesim.Options{}, nil)
	requireOK(t, h.crawl(proto.CrawlFull, false))
	pages := currentOf(h.sim.Tenant(), "page")
	must := func(_ string, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must("", h.sim.EditPage(pages[0].ID, "<p>edited for the incremental crawl</p>"))
	must(h.sim.AddPage(confluencesim.Content{SpaceID: pages[1].SpaceID, ParentID: pages[1].ID,
		Title: "Added for the incremental crawl", Body: "<p>new</p>"}))
	// Changes that leave their page untouched: a comment, an attachment,
	// and a new page in a new folder.
	must(h.sim.AddPage(confluencesim.Content{Type: "comment", CommentKind: "footer", ContainerID: pages[2].ID,
		Title: "Re: a new comment", Body: "<p>a comment on an unchanged page</p>"}))
	must(h.sim.AddAttachment(confluencesim.Attachment{ContainerID: pages[3].ID, Title: "new.txt", Data: []byte("new file")}))
	folder, err := h.sim.AddPage(confluencesim.Content{Type: "folder", SpaceID: pages[4].SpaceID, ParentID: pages[4].ID, Title: "New folder"})
	must("", err)
	must(h.sim.AddPage(confluencesim.Content{SpaceID: pages[4].SpaceID, ParentID: folder, Title: "In the new folder", Body: "<p>deep</p>"}))

	before := h.sim.Counters()
	res := h.crawl(proto.CrawlIncremental, false)
	requireOK(t, res)
	checkSink(t, h, h.sim.Tenant())
	after := h.sim.Counters()
	listed := sum(res, func(s proto.SpaceProgress) int { return s.Listed })
	t.Logf("incremental crawl: %d items listed with %d requests", listed, after.Requests-before.Requests)
	for ep, n := range after.Endpoints {
		if strings.HasSuffix(ep, "/spaces/{id}/pages") && n > before.Endpoints[ep] {
			t.Errorf("the incremental crawl listed whole spaces: %s", ep)
		}
	}
}

func TestDeletionGuardRefusesMassDeletion(t *testing.T) {
	h := start(t, confluencesim.Generate(16, changeSize), confluencesim.Options{}, func(c *config.Config) {
		c.Sink.MaxDeleteShare = 0.2
	})
	requireOK(t, h.crawl(proto.CrawlFull, false))
	before := len(h.documents())
	tn := h.sim.Tenant()
	space := tn.Spaces[0].ID
	for _, c := range tn.Content {
		if c.SpaceID == space && (c.Type == "page" || c.Type == "blogpost") && c.Status == "current" {
			_ = h.sim.DeleteContent(c.ID)
		}
	}
	res := h.crawl(proto.CrawlFull, false)
	if res.OK {
		t.Fatalf("a crawl that would delete most of a space passed the guard")
	}
	if got := len(h.documents()); got != before {
		t.Fatalf("the guard let %d documents go", before-got)
	}
	requireOK(t, h.crawl(proto.CrawlFull, true))
	checkSink(t, h, h.sim.Tenant())
}

func currentOf(tn *confluencesim.Tenant, typ string) []*confluencesim.Content {
	spaces := map[string]bool{}
	for _, s := range tn.Spaces {
		spaces[s.ID] = s.Status == "current"
	}
	var out []*confluencesim.Content
	for _, c := range tn.Content {
		if c.Type == typ && c.Status == "current" && spaces[c.SpaceID] {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sum(res proto.CrawlFinished, f func(proto.SpaceProgress) int) int {
	n := 0
	for _, s := range res.Spaces {
		n += f(s)
	}
	return n
}

// reportCalls logs the API calls of a crawl by endpoint, for the notes.
func reportCalls(t *testing.T, h *harness, res proto.CrawlFinished) {
	c := h.sim.Counters()
	var lines []string
	for ep, n := range c.Endpoints {
		lines = append(lines, fmt.Sprintf("%6d %s", n, ep))
	}
	sort.Strings(lines)
	items := sum(res, func(s proto.SpaceProgress) int { return s.Listed })
	t.Logf("crawl of %d items in %s: %d requests\n%s", items,
		res.Finished.Sub(res.Started).Round(time.Millisecond), c.Requests, strings.Join(lines, "\n"))
}

// A space that disappears (deleted, or excluded by configuration) takes
// its documents out of the index, but only through the deletion guard: a
// whole space is always more than max_delete_share.
func TestVanishedSpaceIsSweptOnlyWhenForced(t *testing.T) {
	h := start(t, confluencesim.Generate(17, changeSize), confluencesim.Options{}, nil)
	requireOK(t, h.crawl(proto.CrawlFull, false))
	var gone string
	for _, s := range h.sim.Tenant().Spaces {
		if s.Status == "current" && s.Type == "global" {
			gone = s.ID
			break
		}
	}
	h.sim.Mutate(func(tn *confluencesim.Tenant) {
		tn.Spaces = slices.DeleteFunc(tn.Spaces, func(s *confluencesim.Space) bool { return s.ID == gone })
		tn.Content = slices.DeleteFunc(tn.Content, func(c *confluencesim.Content) bool { return c.SpaceID == gone })
	})
	docsOf := func() int {
		n := 0
		for _, d := range h.documents() {
			if d.SpaceID == gone {
				n++
			}
		}
		return n
	}
	before := docsOf()
	if before == 0 {
		t.Fatal("the space had no documents")
	}
	res := h.crawl(proto.CrawlFull, false)
	if res.OK || !strings.Contains(strings.Join(res.Failures, "\n"), "deletions refused") {
		t.Fatalf("a vanished space was not held by the guard: %+v", res.Failures)
	}
	if docsOf() != before {
		t.Fatal("documents of the vanished space were deleted without --force")
	}
	requireOK(t, h.crawl(proto.CrawlFull, true))
	if n := docsOf(); n != 0 {
		t.Fatalf("%d documents of the vanished space are still in the sink", n)
	}
	checkSink(t, h, h.sim.Tenant())
	requireOK(t, h.crawl(proto.CrawlFull, false)) // and it is not swept again
}

// With content.include_archived, archived spaces and pages are crawled
// too (and only then).
func TestIncludeArchived(t *testing.T) {
	h := start(t, confluencesim.Generate(18, changeSize), confluencesim.Options{}, func(c *config.Config) {
		c.Content.IncludeArchived = true
	})
	requireOK(t, h.crawl(proto.CrawlFull, false))
	tn := h.sim.Tenant()
	archived := 0
	for _, d := range h.documents() {
		for _, c := range tn.Content {
			if c.ID == d.ID && c.Status == "archived" {
				archived++
			}
		}
	}
	if archived == 0 {
		t.Fatal("no archived document was crawled; the test proves nothing")
	}
	checkSink(t, h, tn)
	t.Logf("%d archived documents crawled", archived)
}

// The demo tenant (restrictions on three levels, a deleted group, update-
// only restrictions, an anonymous space, hidden emails, drafts, trash and
// archive) crawled field by field, as `make demo` does.
func TestDemoTenantMatches(t *testing.T) {
	h := start(t, confluencesim.Demo(), confluencesim.Options{}, func(c *config.Config) {
		c.Auth.Email, c.Auth.APIToken = "demo@example.com", "demo-token"
	})
	requireOK(t, h.crawl(proto.CrawlFull, false))
	checkSink(t, h, h.sim.Tenant())
}
