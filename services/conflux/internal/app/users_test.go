package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/userscsv"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// exportHeader is the admin "Export users" header with per-site columns
// and group membership rows.
const exportHeader = "\ufeffUser id,User name,email,User status,Added to org,Org role,Confluence - acme,Last seen in Confluence - acme,Group id,Group name\r\n"

// writeExport writes the tenant's users in the export format, two rows for
// users in two groups, plus the given extra lines, and returns its path.
func writeExport(t *testing.T, tn *confluencesim.Tenant, extra ...string) string {
	var b strings.Builder
	b.WriteString(exportHeader)
	for _, u := range tn.Users {
		status := "Active"
		if !u.Active {
			status = "Deactivated"
		}
		rows := 0
		for _, g := range tn.Groups {
			if slices.Contains(g.Members, u.AccountID) && rows < 2 {
				fmt.Fprintf(&b, "%s,\"%s\",%s,%s,3 Jan 2024,,User,12 May 2024,%s,%s\r\n", u.AccountID, u.DisplayName, u.Email, status, g.ID, g.Name)
				rows++
			}
		}
		if rows == 0 {
			fmt.Fprintf(&b, "%s,\"%s\",%s,%s,3 Jan 2024,,User,Never accessed,,\r\n", u.AccountID, u.DisplayName, u.Email, status)
		}
	}
	for _, l := range extra {
		b.WriteString(l + "\r\n")
	}
	path := filepath.Join(t.TempDir(), "export-users.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUsersImportRealExportWithBadLines(t *testing.T) {
	tn := confluencesim.Generate(21, tenantSize)
	path := writeExport(t, tn,
		"only,three,fields", // wrong field count
		",Nobody,nobody@acme.com,Active,3 Jan 2024,,User,Never accessed,,", // no user id
	)
	h := start(t, tn, confluencesim.Options{}, nil)
	var out bytes.Buffer
	n, err := h.app.ImportUsers(context.Background(), path, &out)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	active := 0
	for _, u := range tn.Users {
		if u.Active && u.Email != "" {
			active++
		}
	}
	if n != active {
		t.Errorf("imported %d users, want the %d active ones with an email", n, active)
	}
	report := out.String()
	if !strings.Contains(report, "2 bad lines") || !strings.Contains(report, path+":") {
		t.Errorf("the report does not name the bad lines by number:\n%s", report)
	}
	kv, err := h.app.JS.KeyValue(context.Background(), proto.BucketUsers)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range tn.Users {
		e, err := kv.Get(context.Background(), proto.Token(u.AccountID))
		switch {
		case u.Active && u.Email != "" && (err != nil || string(e.Value()) != u.Email):
			t.Errorf("user %s: stored %v, %v; want %s", u.AccountID, e, err, u.Email)
		case !u.Active && err == nil:
			t.Errorf("inactive user %s was imported", u.AccountID)
		}
	}
}

// Users who hide their email appear in ACLs by the email of the users CSV,
// and by account id; without the CSV, by account id alone.
func TestHiddenEmailsComeFromTheUsersCSV(t *testing.T) {
	tn := confluencesim.Generate(22, tenantSize)
	hidden := map[string]string{}
	for _, u := range tn.Users {
		if u.EmailHidden && u.Active && u.Email != "" {
			hidden[u.AccountID] = u.Email
		}
	}
	if len(hidden) == 0 {
		t.Fatal("the generated tenant has no user with a hidden email")
	}
	path := writeExport(t, tn)
	h := start(t, tn, confluencesim.Options{}, func(c *config.Config) { c.UsersCSV = path })
	if _, err := h.app.ImportUsers(context.Background(), path, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	requireOK(t, h.crawl(proto.CrawlFull, false))
	checkSink(t, h, h.sim.Tenant())
	seen := 0
	for _, d := range h.documents() {
		for _, id := range d.ACL.AccountIDs {
			email, ok := hidden[id]
			if !ok {
				continue
			}
			seen++
			if !slices.Contains(d.ACL.Users, email) {
				t.Fatalf("document %s lists hidden-email account %s without its CSV email %s", d.ID, id, email)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no document lists a hidden-email account individually; the test proves nothing")
	}
	t.Logf("%d ACL entries of hidden-email accounts carry the CSV email", seen)
}

// A file with a valid header and garbage rows fails the import before
// anything is stored, naming the file, the first bad line and the count;
// users_csv_max_bad_rows lets more bad rows through.
func TestUsersImportGarbageFails(t *testing.T) {
	tn := confluencesim.Generate(23, tenantSize)
	garbage := make([]string, 150)
	for i := range garbage {
		garbage[i] = fmt.Sprintf("garbage %d,\"x", i)
	}
	path := writeExport(t, tn, garbage...)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	firstBad := strings.Count(string(data[:strings.Index(string(data), "garbage 0")]), "\n") + 1

	a := openWithoutStages(t)
	var out bytes.Buffer
	n, err := a.ImportUsers(context.Background(), path, &out)
	var tm *userscsv.TooManyBadRowsError
	if !errors.As(err, &tm) || n != 0 {
		t.Fatalf("import: %d, %v; want a too-many-bad-rows error", n, err)
	}
	want := fmt.Sprintf("users csv %s: too many bad rows: 101 bad rows by line %d, more than the 100 allowed; the first is line %d: ",
		path, firstBad+100, firstBad)
	if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "users_csv_max_bad_rows") {
		t.Fatalf("error %q\nwant it to start with %q and name the key", err, want)
	}
	if out.Len() != 0 {
		t.Errorf("bad lines printed one by one:\n%s", out.String())
	}
	kv, err := a.JS.KeyValue(context.Background(), proto.BucketUsers)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range tn.Users {
		if _, err := kv.Get(context.Background(), proto.Token(u.AccountID)); err == nil {
			t.Fatalf("user %s stored by a failed import", u.AccountID)
		}
	}

	a.Config.UsersCSVMaxBadRows = 150
	out.Reset()
	if n, err = a.ImportUsers(context.Background(), path, &out); err != nil || n == 0 {
		t.Fatalf("import with room for 150 bad rows: %d, %v", n, err)
	}
	report := out.String()
	if !strings.Contains(report, "150 bad lines") || !strings.Contains(report, "… and 130 more bad lines") ||
		strings.Count(report, "  "+path+":") != 20 {
		t.Errorf("report:\n%s", report)
	}
}

// openWithoutStages opens an app on an embedded NATS server without
// running its stages, which an import does not need.
func openWithoutStages(t *testing.T) *app.App {
	t.Helper()
	cfg := config.Default()
	cfg.Site = "https://acme.atlassian.net"
	cfg.Auth.Email = "crawler@example.com"
	cfg.Auth.APIToken = "crawler-token"
	cfg.NATS.DataDir = filepath.Join(t.TempDir(), "data")
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(a.Close)
	return a
}
