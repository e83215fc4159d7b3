package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Mismatch kinds.
const (
	// Over is an over-grant: conflux lets the account read the document,
	// Confluence does not. Someone may find in search what they may not
	// read.
	Over = "over"
	// Under is an under-grant: Confluence lets the account read the
	// document, conflux does not.
	Under = "under"
)

// Mismatch is one check where conflux and Confluence disagree.
type Mismatch struct {
	// Kind is Over or Under.
	Kind       string
	DocumentID string
	Type       string
	SpaceKey   string
	Title      string
	// AccountID is the account checked, or "anonymous".
	AccountID string
	// Sample says why the document was sampled (restricted, nested, …)
	// and Subject why the account was (direct, via_group, …).
	Sample, Subject string
	// Confluence is what the permission check said, with its reasons.
	Confluence       bool
	ConfluenceErrors []string
	// Conflux is what the written ACL says, and ACL summarizes that ACL.
	Conflux bool
	ACL     string
	// Reresolved says the document's ACL was recomputed from fresh API
	// data and published again (over-grants only); Fixed that the check
	// then agreed; After describes the re-check.
	Reresolved bool
	Fixed      bool
	After      string
}

// Tally counts the checks of one kind of sample or subject.
type Tally struct {
	Checked    int
	Mismatches int
}

// Report is the result of one audit. Its counts are what a metrics
// exporter reads (Options.OnReport).
type Report struct {
	Started, Finished time.Time
	// Documents is the number of documents sampled and Checks the number
	// of permission checks compared (re-checks after a re-resolve not
	// included).
	Documents int
	Checks    int
	// Over and Under count the mismatches of each kind; Fixed the
	// over-grants a re-resolve corrected.
	Over, Under, Fixed int
	// Calls is every Confluence call the audit made: permission checks,
	// re-checks and path look-ups of re-resolved documents.
	Calls int
	// Budget is the most calls this audit could make.
	Budget int
	// BySample and BySubject break Checks and mismatches down by why the
	// document and the account were sampled.
	BySample  map[string]Tally
	BySubject map[string]Tally
	// Mismatches lists every mismatch found.
	Mismatches []Mismatch
	// Skipped says why the audit checked nothing ("" when it ran).
	Skipped string
}

// OK reports whether nothing mismatched.
func (r Report) OK() bool { return r.Over+r.Under == 0 }

// Summary is the one-line result, as `conflux run` prints it.
func (r Report) Summary() string {
	if r.Skipped != "" {
		return "audit skipped: " + r.Skipped
	}
	verdict := "ok"
	if !r.OK() {
		verdict = "MISMATCH"
	}
	return fmt.Sprintf("audit %s: %d documents, %d checks, %d over-grants (%d fixed by re-resolve), %d under-grants, %d of %d calls, %s",
		verdict, r.Documents, r.Checks, r.Over, r.Fixed, r.Under, r.Calls, r.Budget, r.Finished.Sub(r.Started).Round(time.Millisecond))
}

// Print writes the report as tables: checks and mismatches by kind of
// document and of account, then each mismatch.
func (r Report) Print(w io.Writer) {
	fmt.Fprintln(w, r.Summary())
	if r.Skipped != "" {
		return
	}
	table := func(title string, m map[string]Tally, order []string) {
		fmt.Fprintf(w, "\n%-22s %8s %11s\n", title, "checked", "mismatches")
		for _, k := range ordered(m, order) {
			fmt.Fprintf(w, "%-22s %8d %11d\n", k, m[k].Checked, m[k].Mismatches)
		}
	}
	table("checks by document", r.BySample, sampleOrder)
	table("checks by account", r.BySubject, subjectOrder)
	if len(r.Mismatches) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%-6s %-10s %-10s %-10s %-44s %-10s %-8s %s\n", "kind", "document", "type", "space", "account", "confluence", "conflux", "acl / re-resolve")
	for _, m := range r.Mismatches {
		fmt.Fprintf(w, "%-6s %-10s %-10s %-10s %-44s %-10s %-8s %s\n", m.Kind, m.DocumentID, m.Type, m.SpaceKey, m.AccountID,
			allow(m.Confluence), allow(m.Conflux), m.ACL+after(m))
		if len(m.ConfluenceErrors) > 0 {
			fmt.Fprintf(w, "       confluence: %s\n", strings.Join(m.ConfluenceErrors, "; "))
		}
	}
}

func allow(b bool) string {
	if b {
		return "allows"
	}
	return "denies"
}

func after(m Mismatch) string {
	if m.After == "" {
		return ""
	}
	return "; " + m.After
}

// ordered lists the keys of m: those of order first, in that order, then
// the others sorted.
func ordered(m map[string]Tally, order []string) []string {
	var out []string
	for _, k := range order {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

func (r *Report) count(sample, subject string, mismatch bool) {
	for _, t := range []struct {
		m map[string]Tally
		k string
	}{{r.BySample, sample}, {r.BySubject, subject}} {
		v := t.m[t.k]
		v.Checked++
		if mismatch {
			v.Mismatches++
		}
		t.m[t.k] = v
	}
}
