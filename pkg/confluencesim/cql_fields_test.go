package confluencesim

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCQLFieldList runs every documented field name through the parser:
// evaluated fields parse, the ones the simulator keeps no data for are
// refused as unsupported, and anything else (space.id) is refused with
// Confluence's message.
func TestCQLFieldList(t *testing.T) {
	now := time.Now()
	for _, f := range cqlFields {
		clause := f + ` = "x"`
		switch f {
		case "created", "lastmodified":
			clause = f + ` >= "2024-01-01"`
		case "text":
			clause = f + ` ~ "x"`
		}
		_, err := parseCQL(clause, now)
		switch {
		case slices.Contains(cqlUnevaluated, f):
			if err == nil || !strings.Contains(err.Error(), "not supported by the simulator") {
				t.Errorf("%s: %v, want not supported", clause, err)
			}
		case err != nil:
			t.Errorf("%s: %v", clause, err)
		}
	}
	for _, f := range []string{"space.id", "status", "user"} {
		_, err := parseCQL(f+` = "1"`, now)
		if want := "No field exists with the name: '" + f + "'"; err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", f, err, want)
		}
	}
	for _, bad := range []string{`text = "x"`, `label ~ "x"`, `space > "A"`} {
		if _, err := parseCQL(bad, now); err == nil || !strings.Contains(err.Error(), "Unsupported operator") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestCQLSpaceFields: space by key (quoted, in lists, personal "~" keys),
// space.type, space.title, creator, and escaped quoted values.
func TestCQLSpaceFields(t *testing.T) {
	tn := Demo()
	var personal *Space
	for _, s := range tn.Spaces {
		if s.Type == "personal" {
			personal = s
		}
	}
	deploy := byTitle(t, tn, "Deploy runbook")
	deploy.Title = `Deploy "blue" \ green`
	s := start(t, tn, Options{})
	count := func(cql string) int { return len(searchIDs(t, s, cql)) }
	pages := func(key string) int {
		n := 0
		for _, c := range tn.Content {
			if c.Type == "page" && c.Status == "current" && c.SpaceID == spaceByKey(t, tn, key).ID {
				n++
			}
		}
		return n
	}
	eng, pub, own := pages("ENG"), pages("PUB"), pages(personal.Key)
	if own == 0 {
		t.Fatal("the demo's personal space has no page")
	}
	for _, tc := range []struct {
		cql  string
		want int
	}{
		{`type=page and space = "ENG"`, eng},
		{`type=page and space in ("ENG","` + personal.Key + `")`, eng + own},
		{`type=page and space.key = "` + personal.Key + `"`, own},
		{`type=page and space in ("PUB", "` + personal.Key + `") and space.type = "personal"`, own},
		{`type=page and space.type = global and space in (ENG, PUB)`, eng + pub},
		{`type=page and space.title = "` + personal.Name + `"`, own},
		{`type=page and space.title ~ "` + strings.ToLower(personal.Name) + `"`, own},
		{`title = "Deploy \"blue\" \\ green"`, 1},
		{`text ~ "blue green" and id = ` + deploy.ID, 1},
		{`text !~ "blue" and id = ` + deploy.ID, 0},
		{`type=page and creator = "` + deploy.AuthorID + `" and id = ` + deploy.ID, 1},
		{`type=page and contributor != "` + deploy.AuthorID + `" and id = ` + deploy.ID, 0},
	} {
		if got := count(tc.cql); got != tc.want {
			t.Errorf("%s: %d results, want %d", tc.cql, got, tc.want)
		}
	}
	r := get(t, s.URL()+"/wiki/rest/api/content/search?cql="+url.QueryEscape(`space.id = 1`), demoAuth)
	if r.status != 400 || r.body["message"] != "No field exists with the name: 'space.id'" {
		t.Errorf("space.id: %d %s", r.status, r.raw)
	}
}
