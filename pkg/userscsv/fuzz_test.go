package userscsv

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics and that what comes out is
// consistent: users have ids and are active, bad lines are within the file
// and in order, at most MaxBadRows of them, and a lower MaxBadRows gives
// the same result or stops at the same first bad line.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/export-users.csv", "testdata/export-pivot.csv", "testdata/export-group-list.csv", "testdata/export-garbage.csv"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("User id,email,User status\n\"a\nb\",x,Active\n")
	f.Add("User id,email,User status,Groups\na,a@x,Active,\"eng, ops\"\na,A@X,active,\"ops,sre\"\nb,b@x,Suspended,\nb,b@x,Active,\n")
	f.Add("\uFEFFUser id,User name,email,User status,Group 1,Group 2\r\n712020:1,\"Doe, Jane\",jane@acme.com,Active,eng,\"a \"\"b\"\"\"\r\n\r\n,,,,,\r\n")
	f.Add("User id,email,User status\n\"a,b@x,Active\n" + strings.Repeat("c,c@x,Active\n", 12))
	f.Add("\xff\xfeU\x00s\x00e\x00r\x00")
	f.Fuzz(func(t *testing.T, in string) {
		users, bad, err := Parse(strings.NewReader(in))
		checkOne, badOne, errOne := Options{MaxBadRows: 1}.Parse(strings.NewReader(in))
		if err != nil {
			if errOne == nil {
				t.Fatalf("MaxBadRows 1 accepts what the default rejects: %v", err)
			}
			return
		}
		if len(bad) > DefaultMaxBadRows {
			t.Fatalf("%d bad lines kept", len(bad))
		}
		lines := strings.Count(in, "\n") + 1
		for i, b := range bad {
			if b.Line < 2 || b.Line > lines || (i > 0 && b.Line <= bad[i-1].Line) {
				t.Fatalf("bad line %d outside 2..%d or out of order: %v", b.Line, lines, bad)
			}
		}
		seen := map[string]bool{}
		for _, u := range users {
			if u.AccountID == "" || !strings.EqualFold(u.Status, "active") || seen[u.AccountID] {
				t.Fatalf("user %+v", u)
			}
			seen[u.AccountID] = true
		}
		var tm *TooManyBadRowsError
		switch {
		case len(bad) <= 1:
			if errOne != nil || !reflect.DeepEqual(checkOne, users) || !reflect.DeepEqual(badOne, bad) {
				t.Fatalf("MaxBadRows 1 differs: %v %v %v", checkOne, badOne, errOne)
			}
		case !errors.As(errOne, &tm) || tm.First.Line != bad[0].Line || tm.Line != bad[1].Line || tm.Count != 2:
			t.Fatalf("MaxBadRows 1 with bad lines %v: %v", bad, errOne)
		}
	})
}
