package sink

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

func TestWriteDocumentsAttachmentsGroups(t *testing.T) {
	e := newEnv(t)
	e.start()
	data := make([]byte, 700<<10) // over the claim-check and chunk sizes
	for i := range data {
		data[i] = byte(rand.IntN(256))
	}
	blob := e.putBlob("acme_atlassian_net/att2/v3", data)

	p := page("c1", "S1", "1", 4)
	p.Document.Body = `<h1>Runbook</h1><p>Restart the <strong>service</strong> &amp; check.</p>`
	p.Document.ACL = proto.ACL{Groups: []string{"g-eng"}, GroupNames: []string{"eng"}}
	p.Groups = []proto.Group{{ID: "g-eng", Name: "eng", Members: []proto.GroupMember{
		{AccountID: "acc-a", Email: "a@x.com"}, {AccountID: "acc-b"}}}}
	container := "1"
	att := &proto.DocumentReady{Document: proto.Document{
		ID: "att2", Type: proto.TypeAttachment, SpaceID: "S1", Title: "plan", Version: 3, CrawlID: "c1",
		ContainerID: &container, Blob: blob,
		Attachment: &proto.AttachmentInfo{FileName: "../Q3 plan.pdf", MediaType: "application/pdf", Size: int64(len(data))},
	}}
	big := &proto.DocumentReady{Document: proto.Document{
		ID: "att3", Type: proto.TypeAttachment, SpaceID: "S1", Title: "video", Version: 1, CrawlID: "c1",
		ContainerID: &container,
		Attachment: &proto.AttachmentInfo{FileName: "talk.mp4", MediaType: "video/mp4", Size: 5 << 30,
			Skipped: "larger than max_size 100MB (5368709120 bytes)"},
	}}
	for _, r := range []*proto.DocumentReady{p, att, big} {
		e.ready(r)
	}
	e.waitWritten("c1", "S1", "1", "att2", "att3")

	got, _, _ := e.sink.Get("1")
	if !strings.Contains(got.BodyText, "Restart the service") || strings.Contains(got.BodyText, "<") {
		t.Errorf("body_text = %q", got.BodyText)
	}
	if strings.Contains(string(e.file("documents/1.json")), "<strong>") {
		t.Error("the storage-format body was written to the document file")
	}
	var g map[string]any
	if err := json.Unmarshal(e.file("identities/groups/g-eng.json"), &g); err != nil || g["name"] != "eng" {
		t.Errorf("group file = %v, %v", g, err)
	}
	a, _, _ := e.sink.Get("att2")
	if a.Attachment.Path != "attachments/att2/_Q3 plan.pdf" {
		t.Fatalf("attachment path = %q", a.Attachment.Path)
	}
	if !bytes.Equal(e.file(a.Attachment.Path), data) {
		t.Error("attachment bytes differ from the blob")
	}
	if o, _ := e.outcome("c1", "S1", "att3"); !strings.Contains(o.Reason, "metadata only") || !strings.Contains(o.Reason, "max_size") {
		t.Errorf("metadata-only outcome reason = %q", o.Reason)
	}
	if o, _ := e.outcome("c1", "S1", "1"); o.Reason != "" || o.Stage != proto.StageSink {
		t.Errorf("plain outcome = %+v", o)
	}

	// A tombstone removes the document and its files and is recorded.
	e.publish(e.sub.Document("S1", "att2"), &proto.DocumentDeleted{CrawlID: "c1", SpaceID: "S1", ID: "att2"}, "del:att2:c1")
	eventually(t, "deletion of att2", func() bool {
		d, _ := e.tracker.Deleted(testContext(t), "c1", "S1")
		_, ok := d["att2"]
		return ok
	})
	if e.hasDoc("att2") {
		t.Error("deleted document still in the sink")
	}
	if docs, _ := e.sink.List("S1"); len(docs) != 2 {
		t.Errorf("%d documents left, want 2", len(docs))
	}
}

func TestMalformedBodyAndMissingBlobKeepTheDocument(t *testing.T) {
	e := newEnv(t)
	e.start()
	bad := page("c1", "S1", "10", 1)
	bad.Document.Body = "<p>unclosed <ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[x\x00\xff<<<</td></tr>"
	container := "10"
	lost := &proto.DocumentReady{Document: proto.Document{
		ID: "att11", Type: proto.TypeAttachment, SpaceID: "S1", Version: 1, CrawlID: "c1", ContainerID: &container,
		Blob:       &proto.BlobRef{Bucket: proto.ObjectBlobs, Name: "acme_atlassian_net/att11/v1", Size: 10},
		Attachment: &proto.AttachmentInfo{FileName: "gone.txt", Size: 10},
	}}
	e.ready(bad)
	e.ready(lost)
	e.waitWritten("c1", "S1", "10", "att11")
	if !e.hasDoc("10") {
		t.Error("document with a malformed body lost")
	}
	d, _, _ := e.sink.Get("att11")
	if d.Attachment == nil || d.Attachment.Path != "" {
		t.Errorf("attachment without bytes = %+v", d.Attachment)
	}
	if o, _ := e.outcome("c1", "S1", "att11"); !strings.Contains(o.Reason, "missing") {
		t.Errorf("outcome reason = %q", o.Reason)
	}
}

func TestVersionsAndACLOnlyUpdates(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.ready(page("c1", "S1", "20", 5))
	e.waitWritten("c1", "S1", "20")

	older := page("c2", "S1", "20", 4)
	older.Document.Title = "stale"
	e.ready(older)
	e.waitWritten("c2", "S1", "20")
	if d, _, _ := e.sink.Get("20"); d.Version != 5 || d.Title == "stale" {
		t.Errorf("an older version replaced the document: v%d %q", d.Version, d.Title)
	}

	acl := page("c3", "S1", "20", 5)
	acl.ACLOnly = true
	acl.Document.ACL = proto.ACL{Public: true}
	e.ready(acl)
	e.waitWritten("c3", "S1", "20")
	if d, _, _ := e.sink.Get("20"); !d.ACL.Public || len(d.ACL.Users) != 0 {
		t.Errorf("ACL-only update not applied: %+v", d.ACL)
	}
}
