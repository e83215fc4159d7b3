package enumerator

import "testing"

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
