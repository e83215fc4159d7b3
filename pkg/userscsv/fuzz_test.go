package userscsv

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics and that what comes out is
// consistent: users have ids and are active, bad lines are within the file.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/export-users.csv", "testdata/export-pivot.csv", "testdata/export-group-list.csv"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("User id,email,User status\n\"a\nb\",x,Active\n")
	f.Fuzz(func(t *testing.T, in string) {
		users, bad, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		lines := strings.Count(in, "\n") + 1
		for _, b := range bad {
			if b.Line < 2 || b.Line > lines {
				t.Fatalf("bad line %d outside 2..%d", b.Line, lines)
			}
		}
		seen := map[string]bool{}
		for _, u := range users {
			if u.AccountID == "" || !strings.EqualFold(u.Status, "active") || seen[u.AccountID] {
				t.Fatalf("user %+v", u)
			}
			seen[u.AccountID] = true
		}
	})
}
