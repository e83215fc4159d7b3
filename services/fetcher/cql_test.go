package fetcher

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
)

// documentedFields are the CQL fields Atlassian documents for Confluence
// Cloud (developer.atlassian.com/cloud/confluence/cql-fields).
var documentedFields = []string{"ancestor", "content", "created", "creator", "contributor", "favourite", "id",
	"label", "lastmodified", "macro", "mention", "parent", "space", "space.category", "space.desc", "space.key",
	"space.title", "space.type", "text", "title", "type", "watcher"}

var (
	quotedValue = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	fieldBefore = regexp.MustCompile(`(?i)(?:^|\(|\band\b|\bor\b|\bnot\b)\s*([a-z][a-z.]*)\s*(?:!=|!~|>=|<=|=|~|>|<|\bin\b|\bnot in\b)`)
	orderBy     = regexp.MustCompile(`(?i)\border by\s+([a-z][a-z.]*)`)
)

// fieldsOf returns the fields a CQL query names, quoted values left out.
func fieldsOf(cql string) []string {
	bare := quotedValue.ReplaceAllString(cql, `""`)
	var out []string
	for _, m := range fieldBefore.FindAllStringSubmatch(bare, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	for _, m := range orderBy.FindAllStringSubmatch(bare, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

// TestEveryCQLUsesDocumentedFields builds every CQL query the fetcher can
// send, for ordinary, personal and hostile space keys, and checks that
// each names only documented fields, names a space by its quoted key,
// and keeps the key intact.
func TestEveryCQLUsesDocumentedFields(t *testing.T) {
	since := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	keys := []string{"ENG", "~557058:4c37a1b2-aaaa", `A"B`, `C\D`, `x" or space.id = "1`}
	var all []string
	for _, key := range keys {
		all = append(all, contentCQL(key),
			windowCQL(key, "page, blogpost, folder", since),
			windowCQL(key, "page, blogpost, folder, comment, attachment", since))
	}
	all = append(all, idsCQL([]string{"65540", "att123", `9"9`}))
	// rules.cql is checked at start (config.CheckCQLFilter) against the
	// same list; the crawl adds it to its own queries.
	filter := `label in ("ops", "sre") or (title ~ "run*" and lastmodified >= now("-4w"))`
	if err := config.CheckCQLFilter(filter); err != nil {
		t.Fatal(err)
	}
	if err := config.CheckCQLFilter("space.id = 1"); err == nil {
		t.Error("config accepts a filter on space.id")
	}
	if !slices.Equal(config.CQLFields, documentedFields) {
		t.Errorf("config.CQLFields %v differ from the documented fields", config.CQLFields)
	}
	all = append(all, filteredCQL(contentCQL("ENG"), filter), filteredCQL(idsCQL([]string{"1", "2"}), filter))
	for _, q := range all {
		fields := fieldsOf(q)
		if len(fields) == 0 {
			t.Errorf("%s: no field found", q)
		}
		for _, f := range fields {
			if !slices.Contains(documentedFields, f) {
				t.Errorf("%s: field %q is not documented for Cloud", q, f)
			}
		}
	}
	for _, key := range keys {
		q := contentCQL(key)
		values := quotedValue.FindAllString(q, -1)
		if len(values) != 1 {
			t.Fatalf("%s: want the key as the one quoted value, got %q", q, values)
		}
		inner := values[0][1 : len(values[0])-1]
		if got := strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(inner); got != key {
			t.Errorf("%s: key reads back as %q, want %q", q, got, key)
		}
	}
}

func TestFieldsOfFindsUndocumentedFields(t *testing.T) {
	if got := fieldsOf(`space.id=65540 and type in (page) order by lastmodified`); !slices.Equal(got, []string{"space.id", "type", "lastmodified"}) {
		t.Errorf("fieldsOf = %q", got)
	}
}
