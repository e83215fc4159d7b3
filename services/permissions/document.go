package permissions

import (
	"strings"
	"time"

	"github.com/conflux-dev/conflux/proto"
)

// item is what the resolver needs of an incoming message, whatever its
// kind: where the item is, which nodes' restrictions apply, and the
// document to finish.
type item struct {
	crawlID string
	kind    proto.CrawlKind
	spaceID string
	id      string
	typ     string
	version int
	// ancestors are the ids above the item, root first; for a comment or
	// an attachment they end with the container.
	ancestors []string
	// titles are the ancestors' titles, same length and order ("" where
	// unknown): the document's breadcrumbs.
	titles        []string
	containerID   string
	containerType string
	authorID      string
	doc           proto.Document
	tracked       proto.Tracked
	// known are the read restrictions the fetcher's bulk listing found
	// for nodes of the chain, by id; the others are looked up.
	known map[string]proto.Restriction
}

// knownRestrictions indexes a message's restrictions by node id.
func knownRestrictions(rs []proto.Restriction) map[string]proto.Restriction {
	if len(rs) == 0 {
		return nil
	}
	out := make(map[string]proto.Restriction, len(rs))
	for _, r := range rs {
		out[r.ID] = r
	}
	return out
}

// timestamp renders a time as the document's RFC 3339 UTC milliseconds;
// the zero time becomes "".
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// pageURL is the item's web link: site + "/wiki" + webui.
func pageURL(site, webui string) string {
	if webui == "" {
		return ""
	}
	if strings.HasPrefix(webui, "http://") || strings.HasPrefix(webui, "https://") {
		return webui
	}
	if !strings.HasPrefix(webui, "/") {
		webui = "/" + webui
	}
	return strings.TrimRight(site, "/") + "/wiki" + webui
}

func ancestorIDs(as []proto.Ancestor) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// ancestorTitles returns the titles of a path, one per node ("" where
// the path does not know it).
func ancestorTitles(as []proto.Ancestor) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Title)
	}
	return out
}

// untitled returns n empty titles: a path looked up by id only.
func untitled(n int) []string { return make([]string, n) }

func lastOf(ids []string) *string {
	if len(ids) == 0 {
		return nil
	}
	v := ids[len(ids)-1]
	return &v
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// contentItem reads a ContentFetched of a full or incremental crawl.
func contentItem(m *proto.ContentFetched, site, host string) item {
	anc, titles := ancestorIDs(m.Ancestors), ancestorTitles(m.Ancestors)
	it := item{
		crawlID: m.CrawlID, kind: m.Kind, spaceID: m.SpaceID, id: m.ID, typ: m.Type, version: m.Version,
		ancestors: anc, titles: titles, containerID: m.ContainerID, containerType: m.ContainerType, authorID: m.AuthorID,
		tracked: m, known: knownRestrictions(m.Restrictions),
	}
	it.doc = proto.Document{
		ID: m.ID, Type: m.Type, Site: host, SpaceKey: m.SpaceKey, SpaceID: m.SpaceID,
		Title: m.Title, URL: pageURL(site, m.WebUI),
		ParentID: lastOf(anc), Ancestors: orEmpty(anc), AncestorTitles: orEmpty(titles), ContainerID: optional(m.ContainerID),
		Labels: orEmpty(m.Labels), Version: m.Version,
		CreatedAt: timestamp(m.CreatedAt), UpdatedAt: timestamp(m.UpdatedAt),
		Author: proto.Author{AccountID: m.AuthorID}, Body: m.Body, BodyFormat: m.BodyFormat, CrawlID: m.CrawlID,
	}
	return it
}

// storedItem reads an AttachmentStored as the extractor publishes it: an
// attachment document, with its bytes in the object store (Blob) or
// metadata only (Skipped), and the file's text as its BodyText.
func storedItem(m *proto.AttachmentStored, site, host string) item {
	a := m.Attachment
	anc, titles := ancestorIDs(a.Ancestors), ancestorTitles(a.Ancestors)
	it := item{
		crawlID: a.CrawlID, kind: a.Kind, spaceID: a.SpaceID, id: a.ID, typ: proto.TypeAttachment, version: a.Version,
		ancestors: anc, titles: titles, containerID: a.ContainerID, containerType: a.ContainerType, authorID: a.AuthorID,
		tracked: m, known: knownRestrictions(a.Restrictions),
	}
	name := a.FileName
	if name == "" {
		name = a.Title
	}
	it.doc = proto.Document{
		ID: a.ID, Type: proto.TypeAttachment, Site: host, SpaceKey: a.SpaceKey, SpaceID: a.SpaceID,
		Title: a.Title, URL: pageURL(site, a.WebUI),
		ParentID: lastOf(anc), Ancestors: orEmpty(anc), AncestorTitles: orEmpty(titles), ContainerID: optional(a.ContainerID),
		Labels: orEmpty(a.Labels), Version: a.Version,
		CreatedAt: timestamp(a.CreatedAt), UpdatedAt: timestamp(a.UpdatedAt),
		Author:   proto.Author{AccountID: a.AuthorID},
		BodyText: m.Text,
		Attachment: &proto.AttachmentInfo{FileName: name, MediaType: a.MediaType, Size: a.Size, Skipped: m.Skipped,
			Extraction: m.Extraction},
		Blob: m.Blob, CrawlID: a.CrawlID,
	}
	return it
}

// chain returns the nodes whose read restrictions apply to the item,
// given the path above its container when the message did not carry it.
// A comment or attachment takes its container's: the container and the
// container's ancestors. A page or folder adds itself to its ancestors;
// a blog post has only itself.
func (it item) chain(containerAncestors []string) []string {
	if it.inherits() {
		return append(containerAncestors, it.containerID)
	}
	return append(append([]string{}, it.ancestors...), it.id)
}

// inherits reports whether the item takes its container's permissions.
func (it item) inherits() bool {
	return (it.typ == proto.TypeComment || it.typ == proto.TypeAttachment) && it.containerID != ""
}

// containerPath returns the ancestors of the container as the message
// carries them, and whether they are known: a container path ends with
// the container itself; a blog post container has no ancestors.
func (it item) containerPath() ([]string, bool) {
	if n := len(it.ancestors); n > 0 && it.ancestors[n-1] == it.containerID {
		return it.ancestors[:n-1], true
	}
	if it.containerType == proto.TypeBlogPost {
		return nil, true
	}
	return nil, false
}
