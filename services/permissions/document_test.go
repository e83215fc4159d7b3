package permissions

import (
	"slices"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/proto"
)

func TestContentDocument(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.FixedZone("x", 3600))
	page := &proto.ContentFetched{CrawlID: "c1", Kind: proto.CrawlFull, SpaceID: "98304", SpaceKey: "ENG", ID: "123456",
		Type: proto.TypePage, Title: "Runbook", WebUI: "/spaces/ENG/pages/123456/Runbook",
		Ancestors: []proto.Ancestor{{ID: "122000", Type: "page"}, {ID: "123000", Type: "folder"}},
		Version:   7, CreatedAt: at, UpdatedAt: at, AuthorID: "acc-1", Body: "<p>x</p>"}
	it := contentItem(page, "https://acme.atlassian.net/", "acme.atlassian.net")
	d := it.doc
	if d.URL != "https://acme.atlassian.net/wiki/spaces/ENG/pages/123456/Runbook" || d.Site != "acme.atlassian.net" ||
		*d.ParentID != "123000" || !slices.Equal(d.Ancestors, []string{"122000", "123000"}) || d.ContainerID != nil ||
		d.CreatedAt != "2026-03-04T04:06:07.891Z" || d.Body != "<p>x</p>" || d.Labels == nil || d.CrawlID != "c1" {
		t.Fatalf("page document %+v", d)
	}
	if got := it.chain(nil); !slices.Equal(got, []string{"122000", "123000", "123456"}) {
		t.Fatalf("page chain %v", got)
	}

	blog := &proto.ContentFetched{ID: "77", Type: proto.TypeBlogPost, SpaceID: "1"}
	if it := contentItem(blog, "https://s", "s"); it.doc.ParentID != nil || len(it.doc.Ancestors) != 0 || !slices.Equal(it.chain(nil), []string{"77"}) {
		t.Fatalf("blog post %+v chain %v", it.doc, it.chain(nil))
	}

	comment := &proto.ContentFetched{ID: "9", Type: proto.TypeComment, SpaceID: "1", ContainerID: "123456", ContainerType: "page",
		Ancestors: []proto.Ancestor{{ID: "122000"}, {ID: "123456"}}}
	it = contentItem(comment, "https://s", "s")
	above, ok := it.containerPath()
	if !ok || !slices.Equal(it.chain(above), []string{"122000", "123456"}) || *it.doc.ContainerID != "123456" || *it.doc.ParentID != "123456" {
		t.Fatalf("comment %+v chain %v", it.doc, it.chain(above))
	}
	comment.Ancestors = nil
	if _, ok := contentItem(comment, "https://s", "s").containerPath(); ok {
		t.Fatal("a comment without its container's path must have it looked up")
	}
	comment.ContainerType = proto.TypeBlogPost
	if above, ok := contentItem(comment, "https://s", "s").containerPath(); !ok || len(above) != 0 {
		t.Fatal("a comment on a blog post has no path above its container")
	}
}

func TestAttachmentDocument(t *testing.T) {
	m := &proto.AttachmentStored{
		Attachment: proto.AttachmentFound{CrawlID: "c1", SpaceID: "1", SpaceKey: "ENG", ID: "att5", Title: "a.png", FileName: "a.png",
			MediaType: "image/png", Size: 42, Version: 2, ContainerID: "10", ContainerType: "page",
			Ancestors: []proto.Ancestor{{ID: "3"}, {ID: "10"}}, WebUI: "/spaces/ENG/pages/10?preview=a.png"},
		Blob: &proto.BlobRef{Bucket: proto.ObjectBlobs, Name: "s/att5/v2", Size: 42},
		Text: "the text the extractor found", Extraction: proto.ExtractionTruncated,
	}
	it := storedItem(m, "http://127.0.0.1:9", "127.0.0.1:9")
	d := it.doc
	if d.Type != proto.TypeAttachment || d.URL != "http://127.0.0.1:9/wiki/spaces/ENG/pages/10?preview=a.png" ||
		d.Attachment == nil || d.Attachment.FileName != "a.png" || d.Attachment.Size != 42 || d.Blob == nil ||
		*d.ContainerID != "10" || *d.ParentID != "10" {
		t.Fatalf("attachment document %+v", d)
	}
	if d.BodyText != m.Text || d.Attachment.Extraction != proto.ExtractionTruncated {
		t.Fatalf("attachment text %q, extraction %q: the extractor's are %q, %q", d.BodyText, d.Attachment.Extraction, m.Text, m.Extraction)
	}
	above, ok := it.containerPath()
	if !ok || !slices.Equal(it.chain(above), []string{"3", "10"}) {
		t.Fatalf("attachment chain %v", it.chain(above))
	}
	if c, sp, id := it.tracked.Track(); c != "c1" || sp != "1" || id != "att5" {
		t.Fatalf("tracked as %s %s %s", c, sp, id)
	}
}
