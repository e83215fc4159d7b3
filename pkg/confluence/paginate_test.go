package confluence

import "testing"

func TestWikiTarget(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            bool
	}{
		{"v2 relative", "/wiki/api/v2/spaces?limit=2&cursor=abc", "/wiki/api/v2/spaces?limit=2&cursor=abc", false},
		{"v1 context relative", "/rest/api/search?cql=type=page&limit=25&cursor=xyz", "/wiki/rest/api/search?cql=type=page&limit=25&cursor=xyz", false},
		{"absolute site", "https://acme.atlassian.net/wiki/api/v2/pages?cursor=1", "/wiki/api/v2/pages?cursor=1", false},
		{"absolute gateway", "https://api.atlassian.com/ex/confluence/abc-123/wiki/api/v2/pages?cursor=1", "/wiki/api/v2/pages?cursor=1", false},
		{"absolute foreign host keeps only the path", "https://evil.example/wiki/api/v2/pages?cursor=1", "/wiki/api/v2/pages?cursor=1", false},
		{"scheme relative", "//evil.example/x", "", true},
		{"no slash", "api/v2/pages", "", true},
		{"absolute outside wiki", "https://acme.atlassian.net/other", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wikiTarget(tt.in)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("wikiTarget(%q) = %q, %v; want %q, err %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestLinkRel(t *testing.T) {
	tests := []struct {
		name, header, rel, want string
	}{
		{"spec example next", `</wiki/api/v2/spaces?cursor=abc>; rel="next", <https://site.atlassian.net/wiki>; rel="base"`, "next", "/wiki/api/v2/spaces?cursor=abc"},
		{"spec example base", `</wiki/api/v2/spaces?cursor=abc>; rel="next", <https://site.atlassian.net/wiki>; rel="base"`, "base", "https://site.atlassian.net/wiki"},
		{"base only", `<https://site.atlassian.net/wiki>; rel="base"`, "next", ""},
		{"comma in url", `</wiki/api/v2/spaces?ids=1,2&cursor=c>; rel="next"`, "next", "/wiki/api/v2/spaces?ids=1,2&cursor=c"},
		{"unquoted, several rels", `</a>; rel=prev, </wiki/b>; rel="last next"`, "next", "/wiki/b"},
		{"empty", ``, "next", ""},
		{"broken", `</wiki/b; rel="next"`, "next", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := linkRel(tt.header, tt.rel); got != tt.want {
				t.Errorf("linkRel(%q, %q) = %q, want %q", tt.header, tt.rel, got, tt.want)
			}
		})
	}
}

func TestNextTarget(t *testing.T) {
	header := `</wiki/api/v2/pages?cursor=h>; rel="next"`
	tests := []struct {
		name   string
		links  *listLinks
		header string
		want   string
	}{
		{"body next wins", &listLinks{Next: "/wiki/api/v2/pages?cursor=b"}, header, "/wiki/api/v2/pages?cursor=b"},
		{"body without next ends even with a header", &listLinks{}, header, ""},
		{"no _links: header", nil, header, "/wiki/api/v2/pages?cursor=h"},
		{"nothing", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nextTarget(tt.links, tt.header)
			if err != nil || got != tt.want {
				t.Errorf("nextTarget = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
