package app_test

import (
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

// TestAttachmentTextIsSearchable crawls a tenant with a real file of every
// format attached to a page, plus a corrupt and an unsupported one: each
// attachment document carries its file's text in body_text and says how
// it was found; bad files are written too, nothing dead-lettered.
func TestAttachmentTextIsSearchable(t *testing.T) {
	tn := confluencesim.Generate(21, confluencesim.Size{Spaces: 2, PagesPerSpace: 8, BlogsPerSpace: 1, Users: 6, Groups: 2, MaxDepth: 2})
	var page *confluencesim.Content
	for _, c := range currentOf(tn, "page") {
		if c.ParentID == "" {
			page = c
			break
		}
	}
	h := start(t, tn, confluencesim.Options{}, nil)
	want := map[string]confluencesim.SampleFile{}
	for _, f := range confluencesim.SampleFiles("the end to end crawl") {
		id, err := h.sim.AddAttachment(confluencesim.Attachment{ContainerID: page.ID, Title: f.Name, MediaType: f.MediaType, Data: f.Data, Text: f.Text})
		if err != nil {
			t.Fatal(err)
		}
		want[id] = f
	}
	bad := map[string]string{}
	for _, b := range []struct{ name, data, status string }{
		{"broken.docx", "not a zip archive", "failed: docx: not a valid zip archive"},
		{"broken.pdf", "%PDF-1.7\nno cross-reference table", "failed: pdf:"},
		{"photo.png", "\x89PNG\r\n\x1a\n", proto.ExtractionUnsupported},
	} {
		id, err := h.sim.AddAttachment(confluencesim.Attachment{ContainerID: page.ID, Title: b.name, Data: []byte(b.data)})
		if err != nil {
			t.Fatal(err)
		}
		bad[id] = b.status
	}
	res := h.crawl(proto.CrawlFull, false)
	requireOK(t, res)
	checkSink(t, h, h.sim.Tenant())
	docs := h.documents()
	for id, f := range want {
		d := docs[id]
		if d.Attachment == nil || d.Attachment.Extraction != proto.ExtractionOK || !strings.Contains(d.BodyText, f.Text) {
			t.Errorf("%s (%s): attachment %+v, body_text %q; want ok with %q", f.Name, id, d.Attachment, d.BodyText, f.Text)
		}
	}
	for id, status := range bad {
		d := docs[id]
		if d.Attachment == nil || !strings.HasPrefix(d.Attachment.Extraction, status) || d.BodyText != "" {
			t.Errorf("%s: attachment %+v, body_text %q; want %q", id, d.Attachment, d.BodyText, status)
		}
	}
}
