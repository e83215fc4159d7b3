package storagetext

import (
	"os"
	"strings"
	"testing"
)

// TestGoldenConstructs converts the page of every construct, in the
// storage format and in ADF, and compares with the expected text.
func TestGoldenConstructs(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		convert  func(string, Options) (string, error)
	}{
		{"testdata/constructs.xml", "testdata/constructs.txt", TextWith},
		{"testdata/constructs.adf.json", "testdata/constructs.adf.txt", ADFText},
	} {
		t.Run(tc.in, func(t *testing.T) {
			in, err := os.ReadFile(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(tc.want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.convert(string(in), testOptions)
			if err != nil {
				t.Fatal(err)
			}
			if got != strings.TrimSuffix(string(want), "\n") {
				t.Fatalf("got:\n%s\n\nwant:\n%s", got, want)
			}
			for _, leftover := range []string{"557058", "System JIRA", "maxLevel", "release\n", "50%", "label ="} {
				if strings.Contains(got, leftover) {
					t.Errorf("output contains %q", leftover)
				}
			}
		})
	}
}
