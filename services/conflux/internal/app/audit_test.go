package app_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/pkg/audit"
	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

func auditConfig(sample, maxCalls int) func(*config.Config) {
	return func(c *config.Config) {
		c.Audit = config.Audit{Sample: sample, MaxCalls: maxCalls, MaxCallsPerHour: 100_000, Seed: 7}
	}
}

// TestAuditAfterCrawl: after a real crawl (users CSV imported), a sampled
// audit of the simulator's tenant finds every ACL exact, within its call
// budget, and `conflux status` shows it.
func TestAuditAfterCrawl(t *testing.T) {
	size := tenantSize
	size.RestrictedShare = 0.3
	tn := confluencesim.Generate(11, size)
	path := writeExport(t, tn)
	h := start(t, tn, confluencesim.Options{}, func(c *config.Config) {
		c.UsersCSV = path
		auditConfig(40, 150)(c)
	})
	if _, err := h.app.ImportUsers(context.Background(), path, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	requireOK(t, h.crawl(proto.CrawlFull, false))
	var hooked []audit.Report
	h.app.OnAudit = func(r audit.Report) { hooked = append(hooked, r) }
	before := h.sim.Counters().Endpoints["POST /wiki/rest/api/content/{id}/permission/check"]
	rep, err := h.app.Audit(context.Background(), 40)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Logf("\n%s", out.String())
	if !rep.OK() || len(rep.Mismatches) != 0 {
		t.Errorf("%d over-grants, %d under-grants on an exact crawl", rep.Over, rep.Under)
	}
	if rep.Documents != 40 || rep.Checks < rep.Documents {
		t.Errorf("%d documents, %d checks: the audit hardly checked", rep.Documents, rep.Checks)
	}
	checks := h.sim.Counters().Endpoints["POST /wiki/rest/api/content/{id}/permission/check"] - before
	if int64(rep.Calls) != checks || rep.Calls > 150 {
		t.Errorf("report says %d calls, the simulator answered %d permission checks, budget 150", rep.Calls, checks)
	}
	must := []string{audit.SampleRestricted, audit.SampleAttached, audit.SampleCSV, audit.SamplePublic, audit.SampleUniform}
	subjects := []string{audit.SubjectDirect, audit.SubjectOutside, audit.SubjectCSV, audit.SubjectAnonymous}
	for _, d := range readStream(t, h) {
		if len(d.Document.ACL.Groups) > 0 {
			must, subjects = append(must, audit.SampleGroups), append(subjects, audit.SubjectViaGroup)
			break
		}
	}
	for _, k := range must {
		if rep.BySample[k].Checked == 0 {
			t.Errorf("no document sampled as %s", k)
		}
	}
	for _, k := range subjects {
		if rep.BySubject[k].Checked == 0 {
			t.Errorf("no account checked as %s", k)
		}
	}
	if len(hooked) != 1 || hooked[0].Checks != rep.Checks {
		t.Errorf("OnAudit got %d reports", len(hooked))
	}
	var status bytes.Buffer
	if _, err := h.app.PrintStatus(context.Background(), &status, app.StatusSnapshot{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status.String(), "last audit") || !strings.Contains(status.String(), "0 mismatches") {
		t.Errorf("status does not show the audit:\n%s", status.String())
	}

	// The same seed draws the same sample.
	again, err := h.app.Audit(context.Background(), 40)
	if err != nil {
		t.Fatal(err)
	}
	if again.Checks != rep.Checks || !mapsEqual(again.BySample, rep.BySample) {
		t.Errorf("the same seed sampled differently: %v then %v", rep.BySample, again.BySample)
	}

	// audit.max_calls_per_hour counts every audit of the last hour.
	h.app.Config.Audit.MaxCallsPerHour = rep.Calls + again.Calls
	third, err := h.app.Audit(context.Background(), 40)
	if err != nil || third.Calls != 0 || !strings.Contains(third.Skipped, "max_calls_per_hour") {
		t.Errorf("over the hourly budget: %d calls, skipped %q, %v", third.Calls, third.Skipped, err)
	}
}

func mapsEqual(a, b map[string]audit.Tally) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestAuditFindsInjectedACLs: a wrong ACL published on the documents
// stream for an existing document (one over-grant, one under-grant) is
// found; the over-grant is re-resolved from Confluence and then passes.
func TestAuditFindsInjectedACLs(t *testing.T) {
	tn := confluencesim.Generate(11, tenantSize)
	h := start(t, tn, confluencesim.Options{}, auditConfig(100_000, 100_000))
	requireOK(t, h.crawl(proto.CrawlFull, false))
	docs := readStream(t, h)
	over, under := unrestrictedPages(t, tn, docs)
	outsider := nonViewer(t, tn, docs[over].Document.SpaceID)

	bad := *docs[over]
	bad.Document.ACL.AccountIDs = append(slices.Clone(bad.Document.ACL.AccountIDs), outsider)
	publishDoc(t, h, &bad)
	removed := dropOne(t, docs[under])
	publishDoc(t, h, docs[under])

	rep, err := h.app.Audit(context.Background(), 100_000)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Logf("\n%s", out.String())
	var gotOver, gotUnder *audit.Mismatch
	for i, m := range rep.Mismatches {
		switch {
		case m.Kind == audit.Over && m.DocumentID == over && m.AccountID == outsider:
			gotOver = &rep.Mismatches[i]
		case m.Kind == audit.Under && m.DocumentID == under && slices.Contains(removed, m.AccountID):
			gotUnder = &rep.Mismatches[i]
		default:
			t.Errorf("unexpected mismatch %+v", m)
		}
	}
	if gotOver == nil || gotUnder == nil {
		t.Fatalf("over-grant found: %v, under-grant found: %v", gotOver != nil, gotUnder != nil)
	}
	if !gotOver.Reresolved || !gotOver.Fixed || rep.Fixed != 1 {
		t.Errorf("the over-grant was not fixed by the re-resolve: %+v", *gotOver)
	}
	if gotOver.Confluence || !gotOver.Conflux || gotOver.ACL == "" {
		t.Errorf("the over-grant does not say who said what: %+v", *gotOver)
	}
	fixed := readStream(t, h)[over]
	if slices.Contains(fixed.Document.ACL.AccountIDs, outsider) {
		t.Errorf("the documents stream still lets %s read %s", outsider, over)
	}
	if !strings.Contains(h.logs.String(), `"msg":"acl mismatch"`) {
		t.Error("no mismatch was logged")
	}
	if rep.OK() {
		t.Error("the report says OK")
	}
}

// TestAuditWithoutAdmin: a crawler account that is not a Confluence
// administrator gets 403; the audit says so once, stays off, and crawls
// go on unaffected.
func TestAuditWithoutAdmin(t *testing.T) {
	tn := confluencesim.Generate(13, tenantSize)
	tn.Admins = nil
	h := start(t, tn, confluencesim.Options{}, auditConfig(20, 100))
	res := h.crawl(proto.CrawlFull, false)
	requireOK(t, res)
	var out bytes.Buffer
	if h.app.AuditAfterCrawl(context.Background(), &out, res) {
		t.Error("the audit would run again after Confluence refused it")
	}
	if !strings.Contains(out.String(), "'Confluence Administrator'") {
		t.Errorf("the summary does not name the missing permission: %q", out.String())
	}
	if n := strings.Count(h.logs.String(), `"msg":"audit off"`); n != 1 {
		t.Errorf("%d 'audit off' log lines, want 1", n)
	}
	rec, ok, err := audit.LastRecord(context.Background(), h.app.JS)
	if err != nil || !ok || rec.Off == "" || rec.Calls != 1 {
		t.Errorf("record %+v, %v, %v: want off after one call", rec, ok, err)
	}
	_, err = h.app.Audit(context.Background(), 20)
	if !errors.Is(err, audit.ErrNotAdmin) {
		t.Errorf("audit: %v, want ErrNotAdmin", err)
	}
	requireOK(t, h.crawl(proto.CrawlFull, false))
	checkSink(t, h, h.sim.Tenant())
}

// readStream reads the last DocumentReady of every document.
func readStream(t *testing.T, h *harness) map[string]*proto.DocumentReady {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := map[string]*proto.DocumentReady{}
	err := bus.EachLast(ctx, h.app.JS, proto.StreamDocuments, h.app.Sub.Documents(""), false, func(msg jetstream.Msg) error {
		m, err := bus.DecodeMsg(ctx, h.app.JS, msg)
		if err != nil {
			return err
		}
		if d, ok := m.(*proto.DocumentReady); ok {
			out[d.Document.ID] = d
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func publishDoc(t *testing.T, h *harness, d *proto.DocumentReady) {
	t.Helper()
	err := bus.NewPublisher(h.app.JS).Publish(context.Background(), h.app.Sub.Document(d.Document.SpaceID, d.Document.ID), d,
		"test:"+d.Document.ID+":"+acl.Hash(d.Document.ACL, d.Groups))
	if err != nil {
		t.Fatal(err)
	}
}

// unrestrictedPages returns two pages below the top level, in a space
// that grants no anonymous access, with no restriction on their path and
// an ACL that lists someone.
func unrestrictedPages(t *testing.T, tn *confluencesim.Tenant, docs map[string]*proto.DocumentReady) (string, string) {
	t.Helper()
	content := map[string]*confluencesim.Content{}
	for _, c := range tn.Content {
		content[c.ID] = c
	}
	open := func(c *confluencesim.Content) bool {
		for x := c; x != nil; x = content[x.ParentID] {
			if len(x.Restrictions.ReadUsers)+len(x.Restrictions.ReadGroups) > 0 {
				return false
			}
		}
		return true
	}
	var ids []string
	for _, c := range tn.Content {
		d := docs[c.ID]
		if c.Type == "page" && c.ParentID != "" && d != nil && !d.Document.ACL.Public && !anonymousSpace(tn, c.SpaceID) && open(c) &&
			len(d.Document.ACL.AccountIDs)+len(d.Document.ACL.Groups) > 0 {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) < 2 {
		t.Fatalf("the tenant has %d unrestricted pages below the top level", len(ids))
	}
	return ids[0], ids[len(ids)-1]
}

func anonymousSpace(tn *confluencesim.Tenant, spaceID string) bool {
	for _, s := range tn.Spaces {
		for _, p := range s.Permissions {
			if s.ID == spaceID && p.PrincipalType == "role" && p.PrincipalID == "ANONYMOUS" {
				return true
			}
		}
	}
	return false
}

// nonViewer is an active account (not the crawler) that may not view the
// space: the documents of the space allow it nowhere.
func nonViewer(t *testing.T, tn *confluencesim.Tenant, spaceID string) string {
	t.Helper()
	for _, u := range tn.Users {
		if !u.Active || slices.Contains(tn.Crawlers, u.AccountID) || u.AccountType == "app" {
			continue
		}
		if !viewsSpace(tn, u.AccountID, spaceID) {
			return u.AccountID
		}
	}
	t.Fatalf("every account may view space %s", spaceID)
	return ""
}

func viewsSpace(tn *confluencesim.Tenant, accountID, spaceID string) bool {
	groups := map[string]bool{}
	for _, g := range tn.Groups {
		if slices.Contains(g.Members, accountID) {
			groups[g.ID] = true
		}
	}
	for _, s := range tn.Spaces {
		if s.ID != spaceID {
			continue
		}
		for _, p := range s.Permissions {
			if p.Key == "read" && p.TargetType == "space" && (p.PrincipalType == "user" && p.PrincipalID == accountID || p.PrincipalType == "group" && groups[p.PrincipalID]) {
				return true
			}
		}
	}
	return false
}

// dropOne removes an account listed on its own from the document's ACL,
// or else a listed group, and returns the accounts so taken away.
func dropOne(t *testing.T, d *proto.DocumentReady) []string {
	t.Helper()
	a := &d.Document.ACL
	if len(a.AccountIDs) > 0 {
		id := a.AccountIDs[0]
		a.AccountIDs = slices.Clone(a.AccountIDs[1:])
		return []string{id}
	}
	g := d.Groups[0]
	a.Groups, a.GroupNames, d.Groups = slices.Clone(a.Groups[1:]), slices.Clone(a.GroupNames[1:]), slices.Clone(d.Groups[1:])
	var ids []string
	for _, m := range g.Members {
		ids = append(ids, m.AccountID)
	}
	return ids
}
