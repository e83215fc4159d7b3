package sink

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/proto"
)

// TestRebuild fills an empty directory from the documents stream alone and
// gets what the running sink wrote.
func TestRebuild(t *testing.T) {
	e := newEnv(t)
	e.start()
	data := bytes.Repeat([]byte("attachment bytes "), 50_000)
	blob := e.putBlob("acme_atlassian_net/att5/v1", data)
	for _, id := range ids(1, 4) {
		e.ready(page("c1", "S1", id, 2))
	}
	e.ready(page("c1", "S2", "9", 1))
	container := "1"
	e.ready(&proto.DocumentReady{Document: proto.Document{ID: "att5", Type: proto.TypeAttachment, SpaceID: "S1",
		Version: 1, CrawlID: "c1", ContainerID: &container, Blob: blob,
		Attachment: &proto.AttachmentInfo{FileName: "notes.txt", Size: int64(len(data))}},
		Groups: []proto.Group{{ID: "g1", Name: "eng"}}})
	e.publish(e.sub.Document("S1", "3"), &proto.DocumentDeleted{CrawlID: "c1", SpaceID: "S1", ID: "3"}, "del:3:c1")
	e.waitWritten("c1", "S1", "1", "2", "4", "att5")
	eventually(t, "tombstone applied", func() bool { return !e.hasDoc("3") })

	dir := filepath.Join(t.TempDir(), "rebuilt")
	deps := e.deps
	deps.Sink = nil
	deps.Config.Sink.Dir = dir
	n, err := Rebuild(testContext(t), deps)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("rebuild wrote %d documents, want 5", n)
	}
	rebuilt, err := filesink.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	want, _ := e.sink.List("")
	got, _ := rebuilt.List("")
	if len(got) != len(want) || len(got) != 5 {
		t.Fatalf("rebuilt %d documents, the sink has %d (want 5)", len(got), len(want))
	}
	for i := range want {
		a, _ := os.ReadFile(filepath.Join(e.dir, filesink.DocumentPath(want[i].ID)))
		b, _ := os.ReadFile(filepath.Join(dir, filesink.DocumentPath(got[i].ID)))
		if !bytes.Equal(a, b) {
			t.Errorf("document %s differs:\n%s\n%s", want[i].ID, a, b)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "attachments", "att5", "notes.txt")); !bytes.Equal(b, data) {
		t.Error("attachment bytes not rebuilt")
	}
	if _, ok, _ := rebuilt.Group("g1"); !ok {
		t.Error("group not rebuilt")
	}
}
