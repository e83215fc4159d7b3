package sink

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/pgsink"
	"github.com/conflux-dev/conflux/services/sink/pgsink/pgtest"
)

// TestPostgresStage runs the stage with sink.type postgres: documents,
// groups and a tombstone reach the tables; then Rebuild fills a second,
// empty database from the documents stream alone with the same rows.
func TestPostgresStage(t *testing.T) {
	e := newEnv(t)
	e.deps.Sink = nil
	e.deps.Config.Sink = config.Sink{Type: config.SinkPostgres, DSN: config.Secret(pgtest.DSN(t)), MaxDeleteShare: 0.5}
	e.start()
	data := []byte("attachment bytes")
	blob := e.putBlob("acme_atlassian_net/att5/v1", data)
	for _, id := range ids(1, 4) {
		e.ready(page("c1", "S1", id, 2))
	}
	container := "1"
	e.ready(&proto.DocumentReady{Document: proto.Document{ID: "att5", Type: proto.TypeAttachment, SpaceID: "S1",
		Version: 1, CrawlID: "c1", ContainerID: &container, Blob: blob,
		Attachment: &proto.AttachmentInfo{FileName: "notes.txt", Size: int64(len(data))}},
		Groups: []proto.Group{{ID: "g1", Name: "eng", Members: []proto.GroupMember{{AccountID: "a1", Email: "a@acme.com"}}}}})
	// The tombstone follows the write of 3: the stage handles messages
	// concurrently, with no order per subject, so a tombstone racing the
	// upsert it deletes could lose to it (in any back-end).
	e.waitWritten("c1", "S1", "1", "2", "3", "4", "att5")
	e.publish(e.sub.Document("S1", "3"), &proto.DocumentDeleted{CrawlID: "c1", SpaceID: "S1", ID: "3"}, "del:3:c1")

	pg, err := pgsink.Open(testContext(t), e.deps.Config.Sink.DSN.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	eventually(t, "tombstone applied", func() bool {
		_, ok, err := pg.Document(testContext(t), "3")
		return err == nil && !ok
	})
	want := pgState(t, pg)
	if docs, _ := pg.Documents(testContext(t)); len(docs) != 4 {
		t.Fatalf("%d documents in postgres, want 4: %s", len(docs), want)
	}
	if g, ok, err := pg.Group(testContext(t), "g1"); err != nil || !ok || len(g.Members) != 1 {
		t.Fatalf("group g1: %+v %v %v", g, ok, err)
	}

	deps := e.deps
	deps.Config.Sink.DSN = config.Secret(pgtest.DSN(t))
	n, err := Rebuild(testContext(t), deps)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("rebuild wrote %d documents, want 4 (3 is a tombstone in the stream)", n)
	}
	rebuilt, err := pgsink.Open(testContext(t), deps.Config.Sink.DSN.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	if got := pgState(t, rebuilt); !bytes.Equal(got, want) {
		t.Fatalf("rebuilt:\n%s\nwant:\n%s", got, want)
	}
}

func pgState(t *testing.T, s *pgsink.Sink) []byte {
	t.Helper()
	docs, err := s.Documents(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
