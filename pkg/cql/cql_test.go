package cql

import (
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	cases := []struct {
		in     string
		want   []string
		closed bool
	}{
		{`space = "ENG" and title ~ 'a\'b'`, []string{"space", "=", `"ENG"`, "and", "title", "~", `'a\'b'`}, true},
		{`type in (page,blogpost)`, []string{"type", "in", "(", "page", ",", "blogpost", ")"}, true},
		{`lastmodified>=now("-4w") and label!~x`, []string{"lastmodified", ">=", "now", "(", `"-4w"`, ")", "and", "label", "!~", "x"}, true},
		{`a<b c<=d e!=f`, []string{"a", "<", "b", "c", "<=", "d", "e", "!=", "f"}, true},
		{`title = "open`, []string{"title", "=", `"open`}, false},
		{`title = "ends in \`, []string{"title", "=", `"ends in \`}, false},
		{"  ", nil, true},
	}
	for _, tc := range cases {
		got, closed := Tokens(tc.in)
		if !slices.Equal(got, tc.want) || closed != tc.closed {
			t.Errorf("Tokens(%q) = %q, %v; want %q, %v", tc.in, got, closed, tc.want, tc.closed)
		}
	}
}

func TestUnquote(t *testing.T) {
	for in, want := range map[string]string{`"a\"b"`: `a"b`, `'x'`: "x", "word": "word", `"`: `"`, `"a\\"`: `a\`} {
		if got := Unquote(in); got != want {
			t.Errorf("Unquote(%q) = %q, want %q", in, got, want)
		}
	}
}
