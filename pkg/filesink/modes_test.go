//go:build unix

package filesink

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

// withUmask runs the test under umask mask and restores the old one.
// The umask is the process's: tests using it must not run in parallel.
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// writeAll writes a page, an attachment and a group, and rewrites the page,
// so that every kind of file and directory exists.
func writeAll(t *testing.T, s *Sink) {
	t.Helper()
	mustUpsert(t, s, page("p1", "S1", 1), nil)
	mustUpsert(t, s, page("p1", "S1", 2), nil)
	mustUpsert(t, s, attachmentDoc("att1", "plan.pdf", 1), strings.NewReader("pdf"))
	if err := s.WriteGroup(context.Background(), proto.Group{ID: "g1", Name: "eng"}); err != nil {
		t.Fatal(err)
	}
}

// modes returns the permission bits of everything under dir, the
// directory itself included, by slash-separated relative path.
func modes(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	got := map[string]fs.FileMode{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func checkModes(t *testing.T, dir string, file, directory fs.FileMode) {
	t.Helper()
	got := modes(t, dir)
	for _, p := range []string{".", "documents", "attachments", "attachments/att1", "identities", "identities/groups"} {
		if got[p] != directory {
			t.Errorf("directory %s: %04o, want %04o", p, got[p], directory)
		}
		delete(got, p)
	}
	for _, p := range []string{"documents/p1.json", "documents/att1.json", "attachments/att1/plan.pdf", "identities/groups/g1.json"} {
		if got[p] != file {
			t.Errorf("file %s: %04o, want %04o", p, got[p], file)
		}
		delete(got, p)
	}
	if len(got) != 0 {
		t.Errorf("unexpected entries: %v", got)
	}
}

// Under the usual umask 022, which would leave 0644 and 0755, the sink
// writes files 0600 and directories 0700.
func TestDefaultModesUnderUmask022(t *testing.T) {
	withUmask(t, 0o022)
	s, dir := openSink(t)
	writeAll(t, s)
	checkModes(t, dir, 0o600, 0o700)
}

// Configured modes are applied exactly, even where the umask would remove
// bits; a directory that exists keeps its mode.
func TestConfiguredModes(t *testing.T) {
	withUmask(t, 0o077)
	dir := filepath.Join(t.TempDir(), "out")
	s, err := Options{FileMode: 0o640, DirMode: 0o750}.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeAll(t, s)
	checkModes(t, dir, 0o640, 0o750)

	existing := filepath.Join(t.TempDir(), "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(existing)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got := modes(t, existing)
	if got["."] != 0o755 || got["documents"] != 0o700 {
		t.Errorf("existing directory %04o, new folder %04o", got["."], got["documents"])
	}
}

func TestBadModes(t *testing.T) {
	for _, o := range []Options{{FileMode: 0o400}, {DirMode: 0o600}, {FileMode: 0o1600}, {DirMode: fs.ModeDir | 0o700}} {
		if _, err := o.Open(filepath.Join(t.TempDir(), "out")); err == nil || !strings.Contains(err.Error(), "want permission bits") {
			t.Errorf("%+v: err %v", o, err)
		}
	}
}
