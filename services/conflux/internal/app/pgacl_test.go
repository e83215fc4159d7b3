package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/pgsink"
	"github.com/conflux-dev/conflux/services/sink/pgsink/pgtest"
)

// TestCrawlIntoPostgresACL crawls the generated tenant into two sinks at
// once, files and PostgreSQL: the rows equal the files sink's documents,
// and the documented ACL query (pgsink.ReadableSQL) gives every active user
// of the tenant exactly the documents the simulator's own permission check
// lets that user view, user by user and document by document.
func TestCrawlIntoPostgresACL(t *testing.T) {
	dsn := pgtest.DSN(t)
	filesDir := filepath.Join(t.TempDir(), "files")
	tn := confluencesim.Generate(11, tenantSize)
	h := start(t, tn, confluencesim.Options{}, func(c *config.Config) {
		files, pg := config.DefaultSink(), config.DefaultSink()
		files.Name, files.Dir = "files", filesDir
		pg.Name, pg.Type, pg.DSN = "pg", config.SinkPostgres, config.Secret(dsn)
		c.Sink = config.DefaultSink()
		c.Sinks = []config.Sink{files, pg}
	})
	requireOK(t, h.crawl(proto.CrawlFull, false))
	h.cfg.Sink.Dir = filesDir // h.documents reads the files sink
	want := h.documents()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pg, err := pgsink.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	rows := waitRows(t, ctx, pg, len(want))
	for _, d := range rows {
		if canonDoc(d) != canonDoc(want[d.ID]) {
			t.Errorf("row %s:\n got %s\nwant %s", d.ID, canonDoc(d), canonDoc(want[d.ID]))
		}
	}

	viewer := h.sim.Tenant().Viewer()
	users, checked := 0, 0
	for _, u := range h.sim.Tenant().Users {
		if !u.Active || slices.Contains(tn.Crawlers, u.AccountID) {
			continue
		}
		users++
		got, err := pg.Readable(ctx, pgsink.Principal{Email: u.Email, AccountIDs: []string{u.AccountID}})
		if err != nil {
			t.Fatal(err)
		}
		var exp []string
		for id := range want {
			if viewer.CanView(u.AccountID, id) {
				exp = append(exp, id)
			}
			checked++
		}
		slices.Sort(exp)
		if !slices.Equal(got, exp) {
			t.Errorf("user %s (%s, email hidden %v): the ACL query gives %d documents, the tenant allows %d\n only query: %v\n only tenant: %v",
				u.AccountID, u.Email, u.EmailHidden, len(got), len(exp), minus(got, exp), minus(exp, got))
		}
		if u.EmailHidden {
			continue
		}
		// `conflux search --as <email>` alone: the groups table supplies
		// the account id.
		byEmail, err := pg.Readable(ctx, pgsink.Principal{Email: u.Email})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(byEmail, exp) {
			t.Errorf("user %s by email alone: %d documents, the tenant allows %d", u.Email, len(byEmail), len(exp))
		}
	}
	if users < 5 || len(want) < 100 {
		t.Fatalf("%d users and %d documents: the test proves little", users, len(want))
	}
	t.Logf("%d users × %d documents checked (%d pairs)", users, len(want), checked)
}

func waitRows(t *testing.T, ctx context.Context, pg *pgsink.Sink, n int) []proto.Document {
	t.Helper()
	for {
		rows, err := pg.Documents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == n {
			return rows
		}
		select {
		case <-ctx.Done():
			t.Fatalf("PostgreSQL holds %d rows, the files sink %d documents", len(rows), n)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// canonDoc is a document as compared across sinks: the attachment's path
// (relative to the files sink's directory) left out.
func canonDoc(d proto.Document) string {
	if d.Attachment != nil {
		a := *d.Attachment
		a.Path = ""
		d.Attachment = &a
	}
	for _, l := range []*[]string{&d.Ancestors, &d.Labels, &d.ACL.Users, &d.ACL.AccountIDs, &d.ACL.Groups, &d.ACL.GroupNames} {
		if *l == nil {
			*l = []string{}
		}
	}
	b, _ := json.Marshal(d)
	return string(b)
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestReplayOneSink rebuilds one named sink of two from the documents
// stream; a name that is not configured is an error naming the sinks.
func TestReplayOneSink(t *testing.T) {
	dirA, dirB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	h := start(t, confluencesim.Generate(13, confluencesim.Size{Spaces: 2, PagesPerSpace: 10, Users: 4, Groups: 2, MaxDepth: 3}),
		confluencesim.Options{}, func(c *config.Config) {
			a, b := config.DefaultSink(), config.DefaultSink()
			a.Name, a.Dir = "a", dirA
			b.Name, b.Dir = "b", dirB
			c.Sink = config.DefaultSink()
			c.Sinks = []config.Sink{a, b}
		})
	requireOK(t, h.crawl(proto.CrawlFull, false))
	h.cfg.Sink.Dir = dirA
	want := h.documents()
	h.stop() // no sink running while the rebuild writes
	<-h.errc
	h.errc <- nil
	if err := os.RemoveAll(dirA); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dirB); err != nil {
		t.Fatal(err)
	}
	if _, err := h.app.RebuildSink(context.Background(), "c"); err == nil || !strings.Contains(err.Error(), "configured: a, b") {
		t.Fatalf("rebuild of an unknown sink: %v", err)
	}
	n, err := h.app.RebuildSink(context.Background(), "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dirA); !os.IsNotExist(err) {
		t.Errorf("sink a was written: %v", err)
	}
	h.cfg.Sink.Dir = dirB
	if got := h.documents(); len(got) != len(want) || n != len(want) {
		t.Fatalf("sink b rebuilt with %d documents (rebuild said %d), want %d", len(got), n, len(want))
	}
}
