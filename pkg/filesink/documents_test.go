package filesink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/proto"
)

func openSink(t *testing.T) (*Sink, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, dir
}

func page(id, space string, version int) proto.Document {
	parent := "100"
	return proto.Document{
		ID: id, Type: proto.TypePage, Site: "acme.atlassian.net", SpaceKey: "ENG", SpaceID: space,
		Title: "Runbook <ops> & co", URL: "https://acme.atlassian.net/wiki/spaces/ENG/pages/" + id,
		ParentID: &parent, Ancestors: []string{"100"}, Version: version,
		CreatedAt: "2026-01-02T03:04:05.000Z", UpdatedAt: "2026-01-02T03:04:05.000Z",
		Author: proto.Author{AccountID: "acc-1", Email: "a@x.com"},
		Body:   "<p>body</p>", BodyText: fmt.Sprintf("body v%d", version),
		ACL:     proto.ACL{Users: []string{"a@x.com"}, AccountIDs: []string{"acc-1"}},
		CrawlID: "crawl-1",
	}
}

func attachmentDoc(id, fileName string, version int) proto.Document {
	d := page(id, "S1", version)
	d.Type = proto.TypeAttachment
	container := "200"
	d.ContainerID = &container
	d.Attachment = &proto.AttachmentInfo{FileName: fileName, MediaType: "application/pdf", Size: 3}
	return d
}

func mustUpsert(t *testing.T, s *Sink, d proto.Document, r io.Reader) bool {
	t.Helper()
	ok, err := s.Upsert(context.Background(), d, r)
	if err != nil {
		t.Fatalf("upsert %s v%d: %v", d.ID, d.Version, err)
	}
	return ok
}

func mustGet(t *testing.T, s *Sink, id string) proto.Document {
	t.Helper()
	d, ok, err := s.Get(id)
	if err != nil || !ok {
		t.Fatalf("get %s: ok=%v err=%v", id, ok, err)
	}
	return d
}

// forbidReader fails the test when the sink reads it.
type forbidReader struct{ t *testing.T }

func (f forbidReader) Read([]byte) (int, error) {
	f.t.Error("attachment was read although the stored version already has its file")
	return 0, io.EOF
}

func TestDocumentFileFormat(t *testing.T) {
	s, dir := openSink(t)
	d := page("123", "S1", 1)
	d.Labels = nil
	mustUpsert(t, s, d, nil)
	data, err := os.ReadFile(filepath.Join(dir, "documents", "123.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{"{\n  \"id\": \"123\",", `"labels": []`, `"groups": []`, `"title": "Runbook <ops> & co"`, `"attachment": null`, `"container_id": null`, `"body_text": "body v1"`} {
		if !strings.Contains(text, want) {
			t.Errorf("document file lacks %s:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{`"body"`, `"blob"`, "<p>"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("document file contains %s:\n%s", unwanted, text)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "type", "site", "space_key", "space_id", "title", "url", "parent_id", "ancestors", "container_id", "labels", "version", "created_at", "updated_at", "author", "body_text", "attachment", "acl", "crawl_id"} {
		if _, ok := m[k]; !ok {
			t.Errorf("document file lacks key %q", k)
		}
	}
}

func TestUpsertByVersion(t *testing.T) {
	ctx := context.Background()
	s, dir := openSink(t)
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	if !mustUpsert(t, s, attachmentDoc("att1", "a.pdf", 2), strings.NewReader("v2!")) {
		t.Fatal("first write not applied")
	}
	got := mustGet(t, s, "att1")
	if got.Attachment.Path != "attachments/att1/a.pdf" || read(got.Attachment.Path) != "v2!" {
		t.Fatalf("attachment = %+v", got.Attachment)
	}

	steps := []struct {
		name    string
		doc     func() proto.Document
		r       io.Reader
		applied bool
		check   func(t *testing.T, d proto.Document)
	}{
		{"lower version ignored", func() proto.Document { return attachmentDoc("att1", "old.pdf", 1) }, strings.NewReader("v1!"), false,
			func(t *testing.T, d proto.Document) {
				if d.Version != 2 || d.Attachment.Path != "attachments/att1/a.pdf" {
					t.Errorf("stored = v%d %+v", d.Version, d.Attachment)
				}
			}},
		{"same version, other crawl: nothing to write", func() proto.Document {
			d := attachmentDoc("att1", "a.pdf", 2)
			d.CrawlID = "crawl-2"
			return d
		}, forbidReader{t}, false, func(t *testing.T, d proto.Document) {
			if d.CrawlID != "crawl-1" {
				t.Errorf("crawl id rewritten: %s", d.CrawlID)
			}
		}},
		{"same version, new ACL applies without copying the file", func() proto.Document {
			d := attachmentDoc("att1", "a.pdf", 2)
			d.ACL = proto.ACL{Groups: []string{"g1"}, GroupNames: []string{"eng"}}
			d.CrawlID = "crawl-3"
			return d
		}, forbidReader{t}, true, func(t *testing.T, d proto.Document) {
			if len(d.ACL.Groups) != 1 || d.ACL.Groups[0] != "g1" || len(d.ACL.Users) != 0 || d.CrawlID != "crawl-3" {
				t.Errorf("acl = %+v crawl %s", d.ACL, d.CrawlID)
			}
			if d.Attachment.Path != "attachments/att1/a.pdf" || d.Attachment.Size != 3 {
				t.Errorf("attachment = %+v", d.Attachment)
			}
		}},
		{"same version, ACL-only update without reader keeps the file", func() proto.Document {
			d := attachmentDoc("att1", "a.pdf", 2)
			d.ACL = proto.ACL{Public: true}
			return d
		}, nil, true, func(t *testing.T, d proto.Document) {
			if !d.ACL.Public || d.Attachment.Path != "attachments/att1/a.pdf" {
				t.Errorf("acl = %+v attachment = %+v", d.ACL, d.Attachment)
			}
		}},
		{"same version, labels changed", func() proto.Document {
			d := attachmentDoc("att1", "a.pdf", 2)
			d.ACL = proto.ACL{Public: true}
			d.Labels = []string{"ops"}
			return d
		}, nil, true, func(t *testing.T, d proto.Document) {
			if len(d.Labels) != 1 {
				t.Errorf("labels = %v", d.Labels)
			}
		}},
		{"higher version with a new file name replaces the old file", func() proto.Document { return attachmentDoc("att1", "b.pdf", 3) },
			strings.NewReader("version three"), true, func(t *testing.T, d proto.Document) {
				if d.Attachment.Path != "attachments/att1/b.pdf" || d.Attachment.Size != int64(len("version three")) {
					t.Errorf("attachment = %+v", d.Attachment)
				}
				if _, err := os.Stat(filepath.Join(dir, "attachments", "att1", "a.pdf")); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("old file still there: %v", err)
				}
				if read(d.Attachment.Path) != "version three" {
					t.Error("wrong bytes")
				}
			}},
		{"higher version without bytes keeps metadata only", func() proto.Document {
			d := attachmentDoc("att1", "b.pdf", 4)
			d.Attachment.Skipped = "larger than max_size 1MB"
			d.Attachment.Path = "attachments/att1/b.pdf" // the sink decides, not the sender
			return d
		}, nil, true, func(t *testing.T, d proto.Document) {
			if d.Attachment.Path != "" || d.Attachment.Skipped == "" {
				t.Errorf("attachment = %+v", d.Attachment)
			}
			if _, err := os.Stat(filepath.Join(dir, "attachments", "att1")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("attachment folder still there: %v", err)
			}
		}},
		{"same version now with bytes writes them", func() proto.Document { return attachmentDoc("att1", "b.pdf", 4) },
			strings.NewReader("four"), true, func(t *testing.T, d proto.Document) {
				if d.Attachment.Path != "attachments/att1/b.pdf" || read(d.Attachment.Path) != "four" {
					t.Errorf("attachment = %+v", d.Attachment)
				}
			}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			applied, err := s.Upsert(ctx, st.doc(), st.r)
			if err != nil {
				t.Fatal(err)
			}
			if applied != st.applied {
				t.Errorf("applied = %v, want %v", applied, st.applied)
			}
			st.check(t, mustGet(t, s, "att1"))
		})
	}
}

func TestHostileNamesStayInside(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "out")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hostile := []struct{ id, file string }{
		{"1", "../../escape.txt"},
		{"2", "/etc/passwd"},
		{"3", `..\..\escape.txt`},
		{"4", ".."},
		{"5", "a\x00b"},
		{"6", "CON"},
		{"7", strings.Repeat("x", 1000) + ".bin"},
		{"../../evil", "x.txt"},
		{"..", "y.txt"},
		{"/abs", "z.txt"},
		{"a/../../b", "w.txt"},
		{"\x00", "nul.txt"},
	}
	for _, h := range hostile {
		d := attachmentDoc(h.id, h.file, 1)
		if !mustUpsert(t, s, d, strings.NewReader("payload "+h.id)) {
			t.Fatalf("%q not written", h.id)
		}
		got := mustGet(t, s, h.id)
		p := filepath.Join(dir, filepath.FromSlash(got.Attachment.Path))
		rel, err := filepath.Rel(filepath.Join(dir, "attachments"), p)
		if err != nil || strings.HasPrefix(rel, "..") || strings.Count(filepath.ToSlash(rel), "/") != 1 {
			t.Errorf("id %q file %q: path %q is not attachments/<id>/<name>", h.id, h.file, got.Attachment.Path)
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != "payload "+h.id {
			t.Errorf("id %q: read back %q, %v", h.id, b, err)
		}
	}
	// Nothing but the sink directory in the parent, and every file in its place.
	entries, _ := os.ReadDir(base)
	if len(entries) != 1 || entries[0].Name() != "out" {
		t.Errorf("parent directory holds %v", entries)
	}
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		switch {
		case parts[0] == "documents" && len(parts) == 2, parts[0] == "attachments" && len(parts) == 3:
			n++
		default:
			t.Errorf("unexpected file %s", rel)
		}
		return nil
	})
	if n != 2*len(hostile) {
		t.Errorf("%d files, want %d", n, 2*len(hostile))
	}
	// Delete by a hostile id removes only that id's files.
	if err := s.Delete(context.Background(), "../../evil"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get("../../evil"); ok {
		t.Error("hostile id not deleted")
	}
	if _, ok, _ := s.Get(".."); !ok {
		t.Error("deleting one hostile id removed another")
	}
}

func TestPlantedSymlinkCannotEscape(t *testing.T) {
	s, dir := openSink(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "attachments", "42")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, err := s.Upsert(context.Background(), attachmentDoc("42", "x.txt", 1), strings.NewReader("secret"))
	if err == nil {
		t.Error("upsert through a symlink leaving the sink succeeded")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote outside the sink: %v", entries)
	}
}

func TestFailedWriteKeepsOldState(t *testing.T) {
	s, dir := openSink(t)
	mustUpsert(t, s, attachmentDoc("att9", "a.bin", 1), strings.NewReader("old"))
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(strings.Repeat("n", 100_000)), errReader{boom})
	_, err := s.Upsert(context.Background(), attachmentDoc("att9", "a.bin", 2), r)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	got := mustGet(t, s, "att9")
	if got.Version != 1 {
		t.Errorf("version = %d after a failed write", got.Version)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "attachments", "att9", "a.bin"))
	if string(b) != "old" {
		t.Errorf("attachment = %.10q after a failed write", b)
	}
	assertNoTemps(t, dir)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Upsert(ctx, attachmentDoc("att9", "a.bin", 3), strings.NewReader("new")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled upsert: err = %v", err)
	}
	assertNoTemps(t, dir)
}

// The sink holds its documents folder open; when an operator removes the
// folder under a running sink, a write fails instead of being acknowledged
// into a folder no one can reach.
func TestRemovedDocumentsFolderFailsWrites(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("an open folder cannot be removed on Windows")
	}
	s, dir := openSink(t)
	mustUpsert(t, s, page("1", "S", 1), nil)
	if err := os.RemoveAll(filepath.Join(dir, "documents")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(context.Background(), page("2", "S", 1), nil); err == nil || !strings.Contains(err.Error(), "documents") {
		t.Errorf("upsert into a removed documents folder: err = %v, want one naming the folder", err)
	}
	if err := s.Delete(context.Background(), "1"); err == nil {
		t.Error("delete in a removed documents folder succeeded")
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tmpPrefix) {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func TestOpenRemovesStaleTemps(t *testing.T) {
	s, dir := openSink(t)
	_ = s.Close()
	old := filepath.Join(dir, "documents", tmpPrefix+"dead")
	young := filepath.Join(dir, "documents", tmpPrefix+"busy")
	for _, p := range []string{old, young} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * staleTmpAge)
	_ = os.Chtimes(old, past, past)
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Error("stale temporary file not removed")
	}
	if _, err := os.Stat(young); err != nil {
		t.Error("young temporary file removed")
	}
}

func TestDeleteAndList(t *testing.T) {
	ctx := context.Background()
	s, dir := openSink(t)
	mustUpsert(t, s, page("1", "S1", 1), nil)
	mustUpsert(t, s, page("2", "S1", 1), nil)
	mustUpsert(t, s, page("3", "S2", 1), nil)
	mustUpsert(t, s, attachmentDoc("att4", "f.txt", 1), strings.NewReader("abc"))

	ids := func(space string) string {
		docs, err := s.List(space)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range docs {
			out = append(out, d.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids("S1"); got != "1,2,att4" {
		t.Errorf("List(S1) = %s", got)
	}
	if got := ids(""); got != "1,2,3,att4" {
		t.Errorf("List() = %s", got)
	}
	for _, id := range []string{"2", "att4", "missing"} {
		if err := s.Delete(ctx, id); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
	}
	if got := ids("S1"); got != "1" {
		t.Errorf("after delete List(S1) = %s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "attachments", "att4")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("attachment folder survived delete: %v", err)
	}
	// A deleted document comes back with any version.
	mustUpsert(t, s, page("2", "S1", 1), nil)
	if got := ids("S1"); got != "1,2" {
		t.Errorf("after re-add List(S1) = %s", got)
	}
}

func TestConcurrentUpsertsKeepHighestVersion(t *testing.T) {
	s, dir := openSink(t)
	var wg sync.WaitGroup
	for v := 1; v <= 20; v++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := attachmentDoc("att7", fmt.Sprintf("f%d.bin", v), v)
			if _, err := s.Upsert(context.Background(), d, strings.NewReader(fmt.Sprint("v", v))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := mustGet(t, s, "att7")
	if got.Version != 20 || got.Attachment.Path != "attachments/att7/f20.bin" {
		t.Errorf("stored v%d %+v", got.Version, got.Attachment)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "attachments", "att7"))
	if len(entries) != 1 {
		t.Errorf("attachment folder holds %d files, want 1", len(entries))
	}
}

func TestWriteGroup(t *testing.T) {
	ctx := context.Background()
	s, dir := openSink(t)
	g := proto.Group{ID: "g-1", Name: "eng", Members: []proto.GroupMember{{AccountID: "a1", Email: "a@x.com"}, {AccountID: "a2"}}}
	if err := s.WriteGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "identities", "groups", "g-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		ID      string              `json:"id"`
		Name    string              `json:"name"`
		Members []map[string]string `json:"members"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != "g-1" || m.Name != "eng" || len(m.Members) != 2 || m.Members[0]["account_id"] != "a1" || m.Members[0]["email"] != "a@x.com" {
		t.Errorf("group file = %s", data)
	}
	if err := s.WriteGroup(ctx, proto.Group{ID: "g-1", Name: "eng"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Group("g-1")
	if err != nil || !ok || got.Members == nil || len(got.Members) != 0 {
		t.Errorf("emptied group = %+v ok=%v err=%v", got, ok, err)
	}
	if err := s.WriteGroup(ctx, proto.Group{ID: "../../etc/group"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "identities", "groups", "%2E.%2F..%2Fetc%2Fgroup.json")); err != nil {
		t.Errorf("hostile group id not kept inside: %v", err)
	}
	if err := s.WriteGroup(ctx, proto.Group{}); err == nil {
		t.Error("a group without id was written")
	}
}

// genReader yields n bytes without holding them.
type genReader struct{ n int64 }

func (g *genReader) Read(p []byte) (int, error) {
	if g.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.n {
		p = p[:g.n]
	}
	for i := range p {
		p[i] = byte(i)
	}
	g.n -= int64(len(p))
	return len(p), nil
}

func TestAttachmentIsStreamed(t *testing.T) {
	s, dir := openSink(t)
	const size = 64 << 20
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := sampleHeap(t, func() {
		mustUpsert(t, s, attachmentDoc("att-big", "big.bin", 1), &genReader{n: size})
	})
	info, err := os.Stat(filepath.Join(dir, "attachments", "att-big", "big.bin"))
	if err != nil || info.Size() != size {
		t.Fatalf("stat = %v, %v", info, err)
	}
	growth := int64(peak) - int64(before.HeapAlloc)
	t.Logf("64 MiB attachment written; heap peak %d KiB above the start", growth>>10)
	if growth > 16<<20 {
		t.Errorf("heap grew by %d MiB while writing a 64 MiB attachment", growth>>20)
	}
	if !bytes.Equal([]byte(mustGet(t, s, "att-big").Attachment.Path), []byte("attachments/att-big/big.bin")) {
		t.Error("path not set")
	}
}

// sampleHeap runs fn while sampling HeapAlloc and returns the highest value
// seen.
func sampleHeap(t *testing.T, fn func()) uint64 {
	t.Helper()
	done := make(chan struct{})
	peakc := make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				peakc <- peak
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	return <-peakc
}
