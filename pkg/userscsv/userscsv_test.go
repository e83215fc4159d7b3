package userscsv

import (
	"errors"
	"io"
	"os"
	"reflect"
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
