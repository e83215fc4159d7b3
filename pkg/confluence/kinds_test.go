package confluence

import (
	"errors"
	"slices"
	"testing"
)

func TestKindPath(t *testing.T) {
	tests := []struct {
		in      string
		allowed []string
		want    string
	}{
		{"pages", treeKinds, "pages"}, {"page", treeKinds, "pages"}, {"Folder", treeKinds, "folders"},
		{"blogpost", containerKinds, "blogposts"}, {"blogposts", containerKinds, "blogposts"},
		{"footer", commentKinds, "footer"}, {"inline-comments", commentKinds, "inline"},
		{"attachment", labelKinds, "attachments"},
	}
	for _, tt := range tests {
		got, err := kindPath(tt.in, tt.allowed)
		if err != nil || got != tt.want {
			t.Errorf("kindPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := kindPath("blogposts", treeKinds); !errors.Is(err, ErrPermanent) {
		t.Errorf("blogposts as a tree kind: err = %v, want ErrPermanent", err)
	}
}

func TestBatches(t *testing.T) {
	ids := []string{"a", "b", "", "a", "c", "d", "e"}
	var got [][]string
	for b := range batches(ids, 2) {
		got = append(got, slices.Clone(b))
	}
	want := [][]string{{"a", "b"}, {"c", "d"}, {"e"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("batches = %v, want %v", got, want)
	}
}

func TestQuoteCQL(t *testing.T) {
	if got := QuoteCQL(`a "b" \c`); got != `"a \"b\" \\c"` {
		t.Errorf("QuoteCQL = %s", got)
	}
}
