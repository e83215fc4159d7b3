package pgsink_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/services/sink/pgsink"
	"github.com/conflux-dev/conflux/services/sink/pgsink/pgtest"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
	"github.com/conflux-dev/conflux/services/sink/sinkport/sinkporttest"
)

func open(t *testing.T) *pgsink.Sink {
	t.Helper()
	s, err := pgsink.Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	sinkporttest.Run(t, func(t *testing.T) sinkport.Backend {
		s := open(t)
		s.BatchRows = 40 // the half-way batch takes 8 statements, the 6th fails
		return s
	})
}

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	dsn := pgtest.DSN(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := pgsink.Open(t.Context(), dsn)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	s := open(t)
	defer s.Close()
	var n int
	if err := s.Pool().QueryRow(t.Context(), "SELECT count(*) FROM "+pgsink.VersionTable+" WHERE version_id > 0").Scan(&n); err != nil || n != 2 {
		t.Fatalf("applied migrations: %d, %v", n, err)
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	_, err := pgsink.Open(t.Context(), "postgres://conflux:s3cr3t-pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	if strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Fatalf("error shows the password: %v", err)
	}
}

// TestUnstorableText: NUL characters and invalid UTF-8, which PostgreSQL
// refuses, do not lose the document.
func TestUnstorableText(t *testing.T) {
	s := open(t)
	defer s.Close()
	d := sinkporttest.Doc("1", 1)
	d.Title, d.BodyText = "bad\x00title\xff", "body\x00 with nul"
	if err := s.Upsert(t.Context(), []sinkport.Item{{Doc: d}}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Document(t.Context(), "1")
	if err != nil || !ok || got.Title != "badtitle\uFFFD" || got.BodyText != "body with nul" {
		t.Fatalf("got %q %q, %v %v", got.Title, got.BodyText, ok, err)
	}
}

// TestColumns: the search columns hold what DESIGN says.
func TestColumns(t *testing.T) {
	s := open(t)
	defer s.Close()
	d := sinkporttest.Doc("42", 7)
	d.ACL.Users = []string{"Alice@Acme.com"}
	if err := s.Upsert(t.Context(), []sinkport.Item{{Doc: d}}); err != nil {
		t.Fatal(err)
	}
	var (
		typ, space, title, url, body string
		version                      int
		users, groups, ancestors     []string
		public                       bool
		docTitle                     string
		titleMatch, bodyMatch        bool
	)
	err := s.Pool().QueryRow(t.Context(), `SELECT type, space_key, title, url, body_text, version, acl_users, acl_groups,
		ancestors, acl_public, doc->>'title', search @@ websearch_to_tsquery('english', 'runbooks'),
		search @@ websearch_to_tsquery('english', 'restarting')
		FROM documents WHERE id = '42'`).Scan(&typ, &space, &title, &url, &body, &version, &users, &groups,
		&ancestors, &public, &docTitle, &titleMatch, &bodyMatch)
	if err != nil {
		t.Fatal(err)
	}
	if typ != "page" || space != "ENG" || title != d.Title || url != d.URL || body != d.BodyText || version != 7 ||
		fmt.Sprint(users) != "[alice@acme.com]" || fmt.Sprint(groups) != "[g-eng]" || fmt.Sprint(ancestors) != "[root p-42]" ||
		public || docTitle != d.Title || !titleMatch || !bodyMatch {
		t.Fatalf("row: %v %v %v %v %v %v %v %v %v %v %v %v %v", typ, space, title, url, body, version, users, groups,
			ancestors, public, docTitle, titleMatch, bodyMatch)
	}
}
