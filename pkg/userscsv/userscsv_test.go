package userscsv

import (
	"errors"
	"io"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func parseFile(t *testing.T, name string) ([]User, []LineError) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	users, bad, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return users, bad
}

// TestExport reads a file in the real export's format: BOM, CRLF, per-site
// product columns, a row per group, quoted fields, every status, bad lines.
func TestExport(t *testing.T) {
	users, bad := parseFile(t, "testdata/export-users.csv")
	want := []User{
		{AccountID: "712020:978521a6-2367-4092-a7f6-7cc1b9043bdd", Name: "akmal", Email: "akmal@acme.com", Status: "Active",
			Groups:   []string{"confluence-users", "jira-software-users"},
			GroupIDs: []string{"6f1c1b52-0a4e-4b8e-9a49-1d7a8c0e2f10", "2b9d0c4e-77a1-4f0e-8d3c-5e6f7a8b9c01"}},
		{AccountID: "5b10ac8d82e05b22cc7d4ef5", Name: "Doe, Jane", Email: "jane.doe@acme.com", Status: "Active",
			Groups:   []string{`eng "core"`, "site-admins"},
			GroupIDs: []string{"9a8b7c6d-0000-4000-8000-000000000001", "1d2e3f40-0000-4000-8000-000000000002"}},
		{AccountID: "ACTIVE-CASE-ID", Name: "Carla Case", Email: "Carla@Acme.com", Status: "ACTIVE", Groups: []string{}, GroupIDs: []string{}},
		{AccountID: "5c0a1b2c3d4e5f6a7b8c9d0e", Name: "Hidden Email", Email: "", Status: "Active", Groups: []string{}, GroupIDs: []string{}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users:\n got %+v\nwant %+v", users, want)
	}
	wantBad := []struct {
		line int
		err  error
	}{{8, ErrFieldCount}, {9, ErrNoUserID}, {10, ErrQuote}, {11, ErrQuote}}
	if len(bad) != len(wantBad) {
		t.Fatalf("bad lines: %v", bad)
	}
	for i, w := range wantBad {
		if bad[i].Line != w.line || !errors.Is(bad[i], w.err) {
			t.Errorf("bad[%d] = %v, want line %d: %v", i, bad[i], w.line, w.err)
		}
	}
	if got := bad[0].Error(); got != "line 8: wrong number of fields: 5, the header has 12" {
		t.Errorf("message %q", got)
	}
}

func TestPivotedGroups(t *testing.T) {
	users, bad := parseFile(t, "testdata/export-pivot.csv")
	if len(bad) != 0 {
		t.Fatalf("bad: %v", bad)
	}
	want := []User{
		{AccountID: "aaa-1", Name: "Ann", Email: "ann@acme.com", Status: "Active", Groups: []string{"confluence-users", "eng"}},
		{AccountID: "bbb-2", Name: "Ben", Email: "ben@acme.com", Status: "Active", Groups: []string{"confluence-users"}},
		{AccountID: "ddd-4", Name: "Dan", Email: "dan@acme.com", Status: "Active", Groups: []string{"ops, on-call", "eng"}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("got %+v\nwant %+v", users, want)
	}
}

func TestGroupListColumn(t *testing.T) {
	users, bad := parseFile(t, "testdata/export-group-list.csv")
	if len(bad) != 0 {
		t.Fatalf("bad: %v", bad)
	}
	want := []User{
		{AccountID: "aaa-1", Name: "Ann", Email: "ann@acme.com", Status: "Active", Groups: []string{"confluence-users", "eng", "site-admins"}},
		{AccountID: "bbb-2", Name: "Ben", Email: "ben@acme.com", Status: "Active", Groups: []string{}},
		{AccountID: "ccc-3", Name: "Cat", Email: "cat@acme.com", Status: "Active", Groups: []string{"eng"}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("got %+v\nwant %+v", users, want)
	}
}

func TestColumnsByNameNotPosition(t *testing.T) {
	in := " USER STATUS ,Email,Last seen in Confluence - acme,user ID\n" +
		"Active,a@x.com,Never accessed,id-1\n"
	users, bad, err := Parse(strings.NewReader(in))
	if err != nil || len(bad) != 0 {
		t.Fatalf("err %v bad %v", err, bad)
	}
	want := []User{{AccountID: "id-1", Email: "a@x.com", Status: "Active"}}
	if !reflect.DeepEqual(users, want) {
		t.Fatalf("got %+v", users)
	}
}

func TestHeaderErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty file", "", "empty file"},
		{"blank lines only", "\r\n\n  \n", "empty file"},
		{"missing user id", "email,User status\n", `lacks the column "User id"`},
		{"missing several", "User name,Org role\n", `lacks the column "User id", "email", "User status"`},
		{"managed accounts export", "Name,Atlassian ID,Status,Last active date [UTC]\n", `lacks the column "User id", "email", "User status"`},
		{"malformed header", "User id,\"email,User status\n", "header line 1: malformed quoting"},
		{"utf-16", "\xff\xfeU\x00s\x00", "UTF-16"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			users, bad, err := Parse(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if users != nil || bad != nil {
				t.Fatalf("results with an error: %v %v", users, bad)
			}
		})
	}
}

func TestBadLines(t *testing.T) {
	const header = "User id,User name,email,User status\n"
	cases := []struct {
		name  string
		rows  string
		line  int
		err   error
		users int // good users still read
	}{
		{"too many fields", "a,A,a@x,Active,extra\nb,B,b@x,Active\n", 2, ErrFieldCount, 1},
		{"too few fields", "a,A,a@x\nb,B,b@x,Active\n", 2, ErrFieldCount, 1},
		{"empty user id", "  ,A,a@x,Active\nb,B,b@x,Active\n", 2, ErrNoUserID, 1},
		{"bare quote", "a,A \"x\",a@x,Active\nb,B,b@x,Active\n", 2, ErrQuote, 1},
		{"text after closing quote", "a,\"A\"x,a@x,Active\nb,B,b@x,Active\n", 2, ErrQuote, 1},
		{"unterminated quote at the end", "b,B,b@x,Active\na,\"A,a@x,Active\n", 3, ErrQuote, 1},
		{"unterminated quote does not swallow later lines",
			"a,\"A,a@x,Active\n" + strings.Repeat("b,B,b@x,Active\n", 15) + "c,\"C\",c@x,Active\n", 2, ErrQuote, 2},
		{"status conflicts with an earlier row", "a,A,a@x,Active\na,A,a@x,Suspended\n", 3, ErrConflict, 1},
		{"email conflicts with an earlier row", "a,A,a@x,Active\na,A,other@x,Active\n", 3, ErrConflict, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			users, bad, err := Parse(strings.NewReader(header + tc.rows))
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) != 1 || bad[0].Line != tc.line || !errors.Is(bad[0], tc.err) {
				t.Fatalf("bad = %v, want line %d: %v", bad, tc.line, tc.err)
			}
			if len(users) != tc.users {
				t.Fatalf("%d users, want %d: %+v", len(users), tc.users, users)
			}
		})
	}
}

func TestQuotedFieldAcrossLines(t *testing.T) {
	in := "User id,User name,email,User status\r\n" +
		"a,\"Ann\r\nSecond line\",a@x,Active\r\n" +
		"b,B,b@x,bad \"quote\r\n" +
		"c,C,c@x,Active\r\n"
	users, bad, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].Name != "Ann\nSecond line" || users[1].AccountID != "c" {
		t.Fatalf("users %+v", users)
	}
	if len(bad) != 1 || bad[0].Line != 4 {
		t.Fatalf("bad %v: the line after a two-line record is line 4", bad)
	}
}

func TestStatuses(t *testing.T) {
	in := "User id,email,User status\n" +
		"1,a@x,Active\n2,b@x,active\n3,c@x, ACTIVE \n4,d@x,Inactive\n5,e@x,Suspended\n6,f@x,Deactivated\n7,g@x,\n8,h@x,Pending\n"
	users, bad, err := Parse(strings.NewReader(in))
	if err != nil || len(bad) != 0 {
		t.Fatalf("err %v bad %v", err, bad)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.AccountID)
	}
	if !reflect.DeepEqual(ids, []string{"1", "2", "3"}) {
		t.Fatalf("active users %v", ids)
	}
	if users[0].Groups != nil {
		t.Fatalf("no group columns, yet groups %v", users[0].Groups)
	}
}

func TestReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("User id,email,User status\n1,a@x,Active\n"), iotest.ErrReader(errors.New("disk on fire")))
	_, _, err := Parse(r)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
}

// TestGarbageFile reads a file with a valid header, one good row and 150
// rows of random garbage: the parse stops at the 101st bad row with an
// error naming the file, the first bad line and the count.
func TestGarbageFile(t *testing.T) {
	const name = "testdata/export-garbage.csv"
	users, bad, err := Options{}.ParseFile(name)
	var tm *TooManyBadRowsError
	if !errors.As(err, &tm) || !errors.Is(err, ErrTooManyBadRows) {
		t.Fatalf("err = %v, want a *TooManyBadRowsError", err)
	}
	if users != nil || bad != nil {
		t.Fatalf("results with an error: %v %v", users, bad)
	}
	if tm.File != name || tm.Max != DefaultMaxBadRows || tm.Count != 101 || tm.Line != 103 || tm.First.Line != 3 {
		t.Fatalf("error %+v", tm)
	}
	want := "users csv testdata/export-garbage.csv: too many bad rows: 101 bad rows by line 103, more than the 100 allowed; " +
		"the first is line 3: wrong number of fields: 2, the header has 9"
	if err.Error() != want {
		t.Fatalf("message\n got %q\nwant %q", err, want)
	}

	// With room for every bad row, the good row is still read.
	users, bad, err = Options{MaxBadRows: 150}.ParseFile(name)
	if err != nil || len(users) != 1 || len(bad) != 150 || bad[149].Line != 152 {
		t.Fatalf("users %v, %d bad, err %v", users, len(bad), err)
	}
}

func TestMaxBadRows(t *testing.T) {
	const header = "User id,email,User status\n"
	rows := func(bad int) string {
		return header + "a,a@x,Active\n" + strings.Repeat("only one field\n", bad) + "b,b@x,Active\n"
	}
	cases := []struct {
		max, bad int
		fail     bool
	}{
		{0, DefaultMaxBadRows, false}, {0, DefaultMaxBadRows + 1, true}, {-5, DefaultMaxBadRows + 1, true},
		{1, 1, false}, {1, 2, true}, {3, 0, false}, {3, 3, false}, {3, 4, true},
	}
	for _, tc := range cases {
		users, bad, err := Options{MaxBadRows: tc.max}.Parse(strings.NewReader(rows(tc.bad)))
		if tc.fail {
			var tm *TooManyBadRowsError
			if !errors.As(err, &tm) || tm.Count != tm.Max+1 || tm.First.Line != 3 || tm.Line != 3+tm.Max || tm.File != "" {
				t.Errorf("max %d, %d bad: err %v", tc.max, tc.bad, err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "users csv: too many bad rows: ") {
				t.Errorf("message %q", err)
			}
			continue
		}
		if err != nil || len(bad) != tc.bad || len(users) != 2 {
			t.Errorf("max %d, %d bad: %d users, %d bad, err %v", tc.max, tc.bad, len(users), len(bad), err)
		}
	}
}

func TestParseFileNamesTheFile(t *testing.T) {
	_, _, err := Options{}.ParseFile("testdata/missing.csv")
	if err == nil || !strings.Contains(err.Error(), "users csv: open testdata/missing.csv") {
		t.Fatalf("err = %v", err)
	}
	path := t.TempDir() + "/export.csv"
	if err := os.WriteFile(path, []byte("User name,email\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = Options{}.ParseFile(path)
	if err == nil || err.Error() != "users csv "+path+`: header lacks the column "User id", "User status"` {
		t.Fatalf("err = %v", err)
	}
}

func TestLineTooLong(t *testing.T) {
	long := strings.Repeat("x", maxLineBytes)
	in := "User id,email,User status\n" +
		"a," + long + ",Active\n" + // too long by the two fields around it
		"b,\"open quote," + long + "\n" + // an open quote does not join a line too long
		"c,c@x,Active\n" +
		"d,d@x," + long // too long at the end, without a line ending
	users, bad, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].AccountID != "c" {
		t.Fatalf("users %+v", users)
	}
	want := []struct {
		line int
		err  error
	}{{2, ErrLineTooLong}, {3, ErrLineTooLong}, {5, ErrLineTooLong}}
	if len(bad) != len(want) {
		t.Fatalf("bad %v", bad)
	}
	for i, w := range want {
		if bad[i].Line != w.line || !errors.Is(bad[i], w.err) {
			t.Errorf("bad[%d] = %v, want line %d: %v", i, bad[i], w.line, w.err)
		}
	}
	_, _, err = Parse(strings.NewReader(long + long + "\n"))
	if err == nil || !strings.Contains(err.Error(), "users csv: header line 1: line too long") {
		t.Fatalf("err = %v", err)
	}
}

// endless yields n bytes of one repeated pattern without reading memory.
type endless struct {
	pattern string
	n       int64
	off     int
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && e.n > 0 {
		c := copy(p[k:min(len(p), k+int(min(e.n, int64(len(e.pattern)-e.off))))], e.pattern[e.off:])
		k += c
		e.n -= int64(c)
		e.off = (e.off + c) % len(e.pattern)
	}
	return k, nil
}

// TestBoundedMemory streams 64 MiB without a line ending, then 64 MiB of
// rows that are read and skipped (one suspended user again and again), and
// checks that the allocations stay far below that: Parse keeps one line.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 128 MiB")
	}
	for _, tc := range []struct {
		name    string
		pattern string
		bad     int
	}{
		{"one endless line", "abc,def\"", 1},
		{"endless skipped rows", "x,x@y,Suspended\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := io.MultiReader(strings.NewReader("User id,email,User status\n"), &endless{pattern: tc.pattern, n: 64 << 20})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, bad, err := Parse(r)
			runtime.ReadMemStats(&after)
			if err != nil || len(bad) != tc.bad {
				t.Fatalf("%d bad, err %v", len(bad), err)
			}
			if got := after.HeapInuse; got > before.HeapInuse+16<<20 {
				t.Fatalf("heap grew by %d MiB", (got-before.HeapInuse)>>20)
			}
			if tc.bad == 1 {
				if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
					t.Fatalf("%d MiB allocated for one line", got>>20)
				}
			}
		})
	}
}
