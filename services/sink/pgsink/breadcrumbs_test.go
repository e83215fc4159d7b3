package pgsink_test

import (
	"fmt"
	"testing"

	"github.com/conflux-dev/conflux/services/sink/sinkport"
	"github.com/conflux-dev/conflux/services/sink/sinkport/sinkporttest"
)

// TestBreadcrumbs: ancestor titles are a column of their own, in the
// document's JSON, and searchable, weighing less than the title and body.
func TestBreadcrumbs(t *testing.T) {
	s := open(t)
	defer s.Close()
	d := sinkporttest.Doc("42", 7)
	d.AncestorTitles = []string{"Engineering handbook", "Kubernetes clusters"}
	other := sinkporttest.Doc("43", 1)
	other.Title, other.BodyText, other.AncestorTitles = "Kubernetes upgrades", "How to upgrade the clusters.", []string{"", "Ops"}
	if err := s.Upsert(t.Context(), []sinkport.Item{{Doc: d}, {Doc: other}}); err != nil {
		t.Fatal(err)
	}
	var titles, fromDoc []string
	var match bool
	err := s.Pool().QueryRow(t.Context(), `SELECT ancestor_titles, ARRAY(SELECT jsonb_array_elements_text(doc->'ancestor_titles')),
		search @@ websearch_to_tsquery('english', 'handbook')
		FROM documents WHERE id = '42'`).Scan(&titles, &fromDoc, &match)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(titles) != "[Engineering handbook Kubernetes clusters]" || fmt.Sprint(fromDoc) != fmt.Sprint(titles) || !match {
		t.Fatalf("ancestor_titles %q, doc %q, search match %v", titles, fromDoc, match)
	}
	var first string
	err = s.Pool().QueryRow(t.Context(), `SELECT id FROM documents, websearch_to_tsquery('english', 'kubernetes') q
		WHERE search @@ q ORDER BY ts_rank_cd(search, q) DESC LIMIT 1`).Scan(&first)
	if err != nil || first != "43" {
		t.Fatalf("a title match should rank above a breadcrumb match: first %q, %v", first, err)
	}
}
