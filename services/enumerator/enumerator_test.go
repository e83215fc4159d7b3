package enumerator

import (
	"testing"
	"time"
)

func TestIncluded(t *testing.T) {
	cases := []struct {
		name             string
		key              string
		include, exclude []string
		want             bool
	}{
		{"empty include means all", "ENG", nil, nil, true},
		{"included", "ENG", []string{"ENG", "OPS"}, nil, true},
		{"not included", "HR", []string{"ENG", "OPS"}, nil, false},
		{"keys ignore case", "eng", []string{"ENG"}, nil, true},
		{"exclude wins", "ENG", []string{"ENG"}, []string{"eng"}, false},
		{"exclude alone", "HR", nil, []string{"HR"}, false},
		{"personal keys are exact", "~5b10ac8d82e05b22cc7d4ef5", []string{"~5B10AC8D82E05B22CC7D4EF5"}, nil, false},
		{"personal key included", "~5b10ac8d82e05b22cc7d4ef5", []string{"~5b10ac8d82e05b22cc7d4ef5"}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Included(c.key, c.include, c.exclude); got != c.want {
				t.Errorf("Included(%q, %v, %v) = %v, want %v", c.key, c.include, c.exclude, got, c.want)
			}
		})
	}
}

func TestOldestCheckpoint(t *testing.T) {
	t1 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	cases := []struct {
		name  string
		since map[string]time.Time
		want  time.Time
	}{
		{"none", map[string]time.Time{}, time.Time{}},
		{"earliest wins", map[string]time.Time{"1": t2, "2": t1}, t1},
		{"a space without one reads everything", map[string]time.Time{"1": t1, "2": {}}, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := oldest(c.since); !got.Equal(c.want) {
				t.Errorf("oldest = %v, want %v", got, c.want)
			}
		})
	}
}
