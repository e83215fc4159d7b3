package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRulesParse(t *testing.T) {
	c, err := Parse([]byte(minimal+`rules:
  space_types: [global, personal]
  space_status: [current, archived]
  page_trees: ["12345"]
  labels: {include: [howto], exclude: [draft]}
  types: [page, attachment]
  folders_as_documents: false
  modified_after: 2024-01-01
  modified_within: 30d
  attachments: {media_types: [application/pdf, "image/*"]}
  cql: 'title ~ "runbook" or label in ("ops", "sre")'
`), "conflux.yaml", envOf(map[string]string{"CONFLUX_RULES_LABELS_EXCLUDE": "draft,old"}))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rules
	if !r.Active() || r.HasType("blogpost") || !r.HasType("attachment") || r.FoldersAsDocuments ||
		r.ModifiedAfter.String() != "2024-01-01" || r.ModifiedWithin.Std() != 30*24*time.Hour ||
		len(r.Labels.Exclude) != 2 || r.PageTrees[0] != "12345" {
		t.Fatalf("rules = %+v", r)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if got := r.Since(now); !got.Equal(now.Add(-30 * 24 * time.Hour)) {
		t.Errorf("Since = %v", got)
	}
	for mt, want := range map[string]bool{"application/pdf": true, "image/png": true, "IMAGE/JPEG; q=1": true, "text/plain": false} {
		if r.MediaTypeAllowed(mt) != want {
			t.Errorf("MediaTypeAllowed(%q) = %v", mt, !want)
		}
	}
	if got := c.SpaceStatusesCrawled(); len(got) != 2 {
		t.Errorf("statuses %v", got)
	}
	d := Default()
	if d.Rules.Active() || !d.Rules.AllTypes() || !d.Rules.FoldersAsDocuments || !d.Rules.Since(now).IsZero() ||
		!d.Rules.MediaTypeAllowed("x/y") || strings.Join(d.SpaceStatusesCrawled(), ",") != "current" {
		t.Errorf("default rules narrow the crawl: %+v", d.Rules)
	}
}

func TestRulesValidateErrors(t *testing.T) {
	cases := []struct {
		name, extra string
		env         map[string]string
		want        string
	}{
		{"space type", "rules:\n  space_types: [team]\n", nil,
			`conflux.yaml:6: rules.space_types: "team" is not one of global, collaboration, knowledge_base, personal`},
		{"space status", "", map[string]string{"CONFLUX_RULES_SPACE_STATUS": "current,trashed"},
			`CONFLUX_RULES_SPACE_STATUS: rules.space_status: "trashed" is not one of current, archived`},
		{"page tree id", "rules:\n  page_trees: [ENG-home]\n", nil,
			`rules.page_trees: "ENG-home" is not a page id (digits)`},
		{"empty label", "rules:\n  labels:\n    include: ['']\n", nil,
			`rules.labels.include: "" is not a label`},
		{"label with space", "rules:\n  labels:\n    exclude: ['two words']\n", nil,
			`rules.labels.exclude: "two words" is not a label`},
		{"label in both", "rules:\n  labels: {include: [ops], exclude: [ops]}\n", nil,
			`rules.labels.exclude: "ops" is also in rules.labels.include`},
		{"unknown type", "rules:\n  types: [page, folder]\n", nil,
			`rules.types: "folder" is not one of page, blogpost, comment, attachment`},
		{"no type", "rules:\n  types: []\n", nil,
			`rules.types: is empty: nothing would be indexed`},
		{"comments alone", "rules:\n  types: [comment, attachment]\n", nil,
			`rules.types: [comment attachment] has neither page nor blogpost`},
		{"bad date", "rules:\n  modified_after: last year\n", nil,
			`conflux.yaml:6: rules.modified_after: "last year" is not a date like 2024-01-01`},
		{"future date", "rules:\n  modified_after: 2999-01-01\n", nil,
			`rules.modified_after: 2999-01-01 is in the future`},
		{"bad duration", "", map[string]string{"CONFLUX_RULES_MODIFIED_WITHIN": "30"},
			`CONFLUX_RULES_MODIFIED_WITHIN: rules.modified_within: "30" is not a duration`},
		{"negative duration", "rules:\n  modified_within: -1h\n", nil,
			`rules.modified_within: -1h0m0s is negative`},
		{"media type", "rules:\n  attachments:\n    media_types: [pdf]\n", nil,
			`rules.attachments.media_types: "pdf" is not a media type like application/pdf or image/*`},
		{"cql undocumented field", "rules:\n  cql: 'space.id = 65540'\n", nil,
			`conflux.yaml:6: rules.cql: field "space.id" is not a documented CQL field`},
		{"cql status field", "", map[string]string{"CONFLUX_RULES_CQL": `label = ops and status = current`},
			`CONFLUX_RULES_CQL: rules.cql: field "status" is not a documented CQL field`},
		{"cql order by", "rules:\n  cql: 'label = ops order by created'\n", nil,
			`rules.cql: "order by" is not allowed`},
		{"cql open quote", "rules:\n  cql: 'title = \"abc'\n", nil,
			`rules.cql: a quoted string is not closed`},
		{"cql open paren", "rules:\n  cql: '(label = a or label = b'\n", nil,
			`rules.cql: a parenthesis is not closed`},
		{"cql no operator", "rules:\n  cql: 'label ops'\n", nil,
			`rules.cql: "ops" after field "label" is not an operator`},
		{"cql no value", "rules:\n  cql: 'label ='\n", nil,
			`rules.cql: field "label" has no value`},
		{"cql dangling and", "rules:\n  cql: 'label = a and'\n", nil,
			`rules.cql: ends where a condition was expected`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := parseFails(t, tc.extra, tc.env, tc.want)
			var fe *FieldError
			if !errors.As(err, &fe) && !strings.Contains(tc.want, "is not a date") && !strings.Contains(tc.want, "is not a duration") {
				t.Fatalf("no FieldError in %v", err)
			}
		})
	}
}

func TestCheckCQLFilterAccepts(t *testing.T) {
	for _, q := range []string{
		`label = "ops"`,
		`label in ("ops", "sre")`,
		`(title ~ "run*" or text ~ 'deploy') and creator != "557058:abc"`,
		`lastmodified >= now("-4w") and type in (page, blogpost)`,
		`ancestor = 12345 or parent = 678 or space.type = personal`,
		`label not in (draft, old)`,
	} {
		if err := CheckCQLFilter(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}
