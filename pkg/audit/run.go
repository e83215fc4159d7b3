package audit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// run is one audit in progress.
type run struct {
	a   *Auditor
	rep *Report
	rng *rand.Rand
	c   *corpus
	// over are the documents with an over-grant, in the order found, and
	// their mismatches (indexes into rep.Mismatches).
	over    []*proto.DocumentReady
	overIdx map[string][]int
}

func (r *run) audit(ctx context.Context) error {
	if r.rep.Budget == 0 {
		r.rep.Skipped = fmt.Sprintf("the hourly call budget (audit.max_calls_per_hour %d) is spent", r.a.o.MaxCallsPerHour)
		return nil
	}
	var err error
	if r.c, err = loadCorpus(ctx, r.a.js, r.a.o.Site); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	picks := r.c.sample(r.a.o.Sample, r.rng)
	if len(picks) == 0 {
		r.rep.Skipped = "the documents stream holds no document yet"
		return nil
	}
	docs, err := r.documents(ctx, picks)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	perDoc := min(maxPerDocument, max(1, r.rep.Budget/len(picks)))
	r.overIdx = map[string][]int{}
	for _, p := range picks {
		d := docs[p.e.id]
		if d == nil || r.rep.Calls >= r.rep.Budget {
			continue
		}
		r.rep.Documents++
		if err := r.checkDocument(ctx, p.kind, d, r.c.view(d, docs), perDoc); err != nil {
			return err
		}
	}
	return r.reresolve(ctx)
}

// documents reads the sampled documents and each space's baseline from
// the documents stream.
func (r *run) documents(ctx context.Context, picks []pick) (map[string]*proto.DocumentReady, error) {
	want := map[string]bool{}
	for _, p := range picks {
		want[p.e.id] = true
	}
	for _, id := range r.c.baseline {
		want[id] = true
	}
	return readDocuments(ctx, r.a.js, r.a.o.Site, want)
}

// checkDocument checks the chosen accounts on one document.
func (r *run) checkDocument(ctx context.Context, kind string, d *proto.DocumentReady, v view, perDoc int) error {
	for _, s := range r.c.subjects(v, perDoc, r.rng) {
		if r.rep.Calls >= r.rep.Budget {
			return nil
		}
		got, err := r.ask(ctx, d.Document.ID, s.accountID)
		switch {
		case errors.Is(err, confluence.ErrNotFound):
			r.a.log.Info("audit: document gone from Confluence since the crawl", "content_id", d.Document.ID)
			return nil
		case err != nil:
			return err
		}
		r.rep.Checks++
		mismatch := got.HasPermission != s.expect
		r.rep.count(kind, s.kind, mismatch)
		if mismatch {
			r.mismatch(kind, s, d, got)
		}
	}
	return nil
}

// ask makes one permission check; a 403 is ErrNotAdmin.
func (r *run) ask(ctx context.Context, contentID, accountID string) (confluence.PermissionCheck, error) {
	r.rep.Calls++
	got, err := r.a.check.CheckPermission(ctx, contentID, confluence.Subject{Type: confluence.SubjectUser, Identifier: accountID}, "read")
	if confluence.IsForbidden(err) {
		return got, fmt.Errorf("%w: %w", ErrNotAdmin, err)
	}
	if err != nil && !errors.Is(err, confluence.ErrNotFound) {
		return got, fmt.Errorf("audit: %w", err)
	}
	return got, err
}

func (r *run) mismatch(kind string, s subject, d *proto.DocumentReady, got confluence.PermissionCheck) {
	doc := d.Document
	m := Mismatch{Kind: Under, DocumentID: doc.ID, Type: doc.Type, SpaceKey: doc.SpaceKey, Title: doc.Title,
		AccountID: s.accountID, Sample: kind, Subject: s.kind, Confluence: got.HasPermission,
		ConfluenceErrors: got.Errors, Conflux: s.expect, ACL: aclSummary(doc.ACL)}
	if s.expect {
		m.Kind = Over
		r.rep.Over++
		if _, ok := r.overIdx[doc.ID]; !ok {
			r.over = append(r.over, d)
		}
		r.overIdx[doc.ID] = append(r.overIdx[doc.ID], len(r.rep.Mismatches))
	} else {
		r.rep.Under++
	}
	r.rep.Mismatches = append(r.rep.Mismatches, m)
	r.a.log.Warn("acl mismatch", "kind", m.Kind, "content_id", m.DocumentID, "type", m.Type, "space_key", m.SpaceKey,
		"account_id", m.AccountID, "confluence", allow(m.Confluence), "confluence_errors", strings.Join(m.ConfluenceErrors, "; "),
		"conflux", allow(m.Conflux), "acl", m.ACL, "sample", m.Sample, "subject", m.Subject)
}

// reresolve recomputes the ACL of every over-granted document and checks
// its over-granted accounts again.
func (r *run) reresolve(ctx context.Context) error {
	if len(r.over) == 0 {
		return nil
	}
	if r.a.o.Reresolver == nil {
		r.note("not re-resolved (no resolver)")
		return nil
	}
	crawlID := "audit-" + time.Now().UTC().Format("20060102T150405.000")
	for _, d := range r.over {
		fresh, calls, err := r.a.o.Reresolver.Reresolve(ctx, crawlID, d)
		r.rep.Calls += calls
		if err != nil {
			r.a.log.Error("audit: re-resolve failed", "content_id", d.Document.ID, "err", err)
			r.noteDoc(d.Document.ID, "re-resolve failed: "+err.Error())
			continue
		}
		if err := r.recheck(ctx, fresh); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) recheck(ctx context.Context, fresh *proto.DocumentReady) error {
	allowed, public := acl.Expand(fresh.Document.ACL, acl.Members(fresh.Groups))
	for _, i := range r.overIdx[fresh.Document.ID] {
		m := &r.rep.Mismatches[i]
		m.Reresolved = true
		if r.rep.Calls >= r.rep.Budget {
			m.After = "re-resolved; not checked again (call budget spent)"
			continue
		}
		expect := public || slices.Contains(allowed, m.AccountID)
		if m.AccountID == confluence.Anonymous {
			expect = public
		}
		got, err := r.ask(ctx, fresh.Document.ID, m.AccountID)
		if err != nil && !errors.Is(err, confluence.ErrNotFound) {
			return err
		}
		m.Fixed = got.HasPermission == expect
		m.After = fmt.Sprintf("re-resolved: conflux now %s (acl %s), confluence %s", allow(expect), aclSummary(fresh.Document.ACL), allow(got.HasPermission))
		if m.Fixed {
			r.rep.Fixed++
			m.After += ": fixed"
		}
		r.a.log.Info("over-grant re-resolved", "content_id", m.DocumentID, "account_id", m.AccountID, "fixed", m.Fixed,
			"conflux", allow(expect), "confluence", allow(got.HasPermission), "acl", aclSummary(fresh.Document.ACL))
	}
	return nil
}

func (r *run) note(after string) {
	for _, d := range r.over {
		r.noteDoc(d.Document.ID, after)
	}
}

func (r *run) noteDoc(id, after string) {
	for _, i := range r.overIdx[id] {
		r.rep.Mismatches[i].After = after
	}
}

// aclSummary describes a written ACL in a few words.
func aclSummary(a proto.ACL) string {
	if a.Public {
		return "public"
	}
	s := fmt.Sprintf("%d account ids", len(a.AccountIDs))
	if len(a.GroupNames) > 0 {
		s += ", groups " + strings.Join(a.GroupNames, ",")
	}
	return s
}

// view expands a document's written ACL, with its space's baseline.
func (c *corpus) view(d *proto.DocumentReady, docs map[string]*proto.DocumentReady) view {
	allowed, public := acl.Expand(d.Document.ACL, acl.Members(d.Groups))
	v := view{public: public, direct: d.Document.ACL.AccountIDs, allowed: map[string]bool{}}
	for _, id := range allowed {
		v.allowed[id] = true
	}
	if b := docs[c.baseline[d.Document.SpaceID]]; b != nil && !b.Document.ACL.Public {
		v.baseline, _ = acl.Expand(b.Document.ACL, acl.Members(b.Groups))
	}
	return v
}
