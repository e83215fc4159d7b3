package app_test

import (
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

// TestConstructsAnswerQuestions crawls pages holding each construct whose
// text is more than its markup (pkg/confluencesim.Constructs) and reads
// the file sink: mentions name the person, includes carry the included
// text only where every reader of the page may read the included page,
// macro parameters that are text are kept, every document carries its
// breadcrumbs, and an incremental crawl after the included page changes
// renders the including page again although it did not change itself.
func TestConstructsAnswerQuestions(t *testing.T) {
	tn := confluencesim.Constructs()
	h := start(t, tn, confluencesim.Options{}, func(c *config.Config) {
		c.Auth.Email, c.Auth.APIToken = "crawler@example.com", "crawler-token"
	})
	requireOK(t, h.crawl(proto.CrawlFull, false))
	docs := byTitle(t, h.documents())

	page := docs["Deploy constructs"]
	t.Logf("Deploy constructs, as indexed:\n%s", page.BodyText)
	for _, want := range []string{
		"Owner: Alice Example",                       // mention
		"Fixed in OPS-4711 yesterday.",               // jira issue key
		"State: ROLLED OUT",                          // status title
		"Rollback steps\nRevert the tag.",            // expand title and body
		"Warning: Never deploy on Fridays.",          // panel label
		"Info: Heads up\nStaging first.",             // panel label and title
		"Drain the queue, then restart the workers.", // include of a page all its readers read
		"SLO means service level objective.",         // excerpt-include: the excerpt only
	} {
		if !strings.Contains(page.BodyText, want) {
			t.Errorf("Deploy constructs lacks %q:\n%s", want, page.BodyText)
		}
	}
	for _, leak := range []string{"Bluebird", "whole glossary", "557058:"} {
		if strings.Contains(page.BodyText, leak) {
			t.Errorf("Deploy constructs shows %q:\n%s", leak, page.BodyText)
		}
	}
	if notes := docs["Carol's notes"]; !strings.Contains(notes.BodyText, "Codename Bluebird acquisition.") {
		t.Errorf("Carol's notes, read only by the reader of Secret plan, lack its text: %q", notes.BodyText)
	}
	want := map[string][]string{
		"Team home": {}, "Glossary": {"Team home"}, "Shared steps": {"Team home", "Runbooks"},
		"Deploy constructs": {"Team home", "Runbooks"}, "Runbooks": {"Team home"},
	}
	for title, crumbs := range want {
		d := docs[title]
		if strings.Join(d.AncestorTitles, " > ") != strings.Join(crumbs, " > ") || len(d.AncestorTitles) != len(d.Ancestors) {
			t.Errorf("%s: ancestor_titles %q (ancestors %v), want %q", title, d.AncestorTitles, d.Ancestors, crumbs)
		}
	}

	shared := docs["Shared steps"]
	if err := h.sim.EditPage(shared.ID, "<p>Drain the queue, wait for the lag to clear, then restart.</p>"); err != nil {
		t.Fatal(err)
	}
	before := h.sim.Counters()
	res := h.crawl(proto.CrawlIncremental, false)
	requireOK(t, res)
	after := byTitle(t, h.documents())
	if got := after["Deploy constructs"]; !strings.Contains(got.BodyText, "wait for the lag to clear") || got.Version != page.Version {
		t.Errorf("the includer was not rendered again after Shared steps changed (version %d, was %d):\n%s", got.Version, page.Version, got.BodyText)
	}
	t.Logf("incremental crawl after the included page changed: %d requests", h.sim.Counters().Requests-before.Requests)
}

// byTitle indexes documents by title; titles are unique in the tenant.
func byTitle(t *testing.T, docs map[string]proto.Document) map[string]proto.Document {
	t.Helper()
	out := map[string]proto.Document{}
	for _, d := range docs {
		if d.Type == proto.TypePage || d.Type == proto.TypeFolder {
			out[d.Title] = d
		}
	}
	return out
}
