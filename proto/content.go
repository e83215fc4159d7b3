package proto

import "time"

// Content types, as the document's "type" field spells them.
const (
	TypePage       = "page"
	TypeBlogPost   = "blogpost"
	TypeFolder     = "folder"
	TypeComment    = "comment"
	TypeAttachment = "attachment"
)

// Ancestor is one node on an item's path, root first.
type Ancestor struct {
	ID   string `msgpack:"id"`
	Type string `msgpack:"type"` // page | folder | …
	// Title is the node's title; empty where the path came from a route
	// that gives none (the v2 ancestors route).
	Title string `msgpack:"title,omitempty"`
}

// Body formats: the storage format (XHTML) that crawled items carry, and
// the Atlas Doc Format (JSON) that some content has instead.
const (
	BodyStorage = "storage"
	BodyADF     = "atlas_doc_format"
)

// ContentFetched is one page, blog post, folder or comment with its body in
// the storage format. Subject: Subjects.Content.
type ContentFetched struct {
	CrawlID  string    `msgpack:"crawl_id"`
	Kind     CrawlKind `msgpack:"kind"`
	SpaceID  string    `msgpack:"space_id"`
	SpaceKey string    `msgpack:"space_key"`
	ID       string    `msgpack:"id"`
	Type     string    `msgpack:"type"`   // page | blogpost | folder | comment
	Status   string    `msgpack:"status"` // current | archived
	Title    string    `msgpack:"title"`
	// WebUI is the item's web link relative to the site's /wiki base.
	WebUI string `msgpack:"webui"`
	// ParentID is the direct parent (page or folder); empty at the root.
	ParentID   string `msgpack:"parent_id,omitempty"`
	ParentType string `msgpack:"parent_type,omitempty"`
	// Ancestors lists the path root first, folders included, ending with
	// the parent. Empty for blog posts and root pages.
	Ancestors []Ancestor `msgpack:"ancestors,omitempty"`
	// ContainerID is the page or blog post a comment belongs to.
	ContainerID   string    `msgpack:"container_id,omitempty"`
	ContainerType string    `msgpack:"container_type,omitempty"`
	Labels        []string  `msgpack:"labels,omitempty"`
	Version       int       `msgpack:"version"`
	CreatedAt     time.Time `msgpack:"created_at"`
	UpdatedAt     time.Time `msgpack:"updated_at"`
	AuthorID      string    `msgpack:"author_id,omitempty"`
	// Body is the storage-format XHTML. Large bodies travel by claim check,
	// which the stage runtime resolves before a handler sees the message.
	Body string `msgpack:"body"`
	// BodyFormat is BodyStorage ("" means storage) or BodyADF.
	BodyFormat string `msgpack:"body_format,omitempty"`
	// LabelsKnown says Labels is the item's complete label set (a
	// permission-only sync updates labels only when it is set).
	LabelsKnown bool `msgpack:"labels_known,omitempty"`
	// Restrictions are the read restrictions the bulk listing found for
	// the item and the nodes on its path, empty ones included; the
	// permission resolver looks up only the nodes not listed here.
	Restrictions []Restriction `msgpack:"restrictions,omitempty"`
}

// Schema implements Message.
func (*ContentFetched) Schema() Schema { return SchemaContentFetched }

// Track implements Tracked.
func (m *ContentFetched) Track() (string, string, string) { return m.CrawlID, m.SpaceID, m.ID }

// AttachmentFound is an attachment to download. Subject: Subjects.Attachment.
type AttachmentFound struct {
	CrawlID       string    `msgpack:"crawl_id"`
	Kind          CrawlKind `msgpack:"kind"`
	SpaceID       string    `msgpack:"space_id"`
	SpaceKey      string    `msgpack:"space_key"`
	ID            string    `msgpack:"id"` // "att…"
	Title         string    `msgpack:"title"`
	FileName      string    `msgpack:"file_name"`
	MediaType     string    `msgpack:"media_type"`
	Size          int64     `msgpack:"size"`
	Version       int       `msgpack:"version"`
	CreatedAt     time.Time `msgpack:"created_at"`
	UpdatedAt     time.Time `msgpack:"updated_at"`
	AuthorID      string    `msgpack:"author_id,omitempty"`
	WebUI         string    `msgpack:"webui"`
	ContainerID   string    `msgpack:"container_id"`
	ContainerType string    `msgpack:"container_type"` // page | blogpost
	// Ancestors of the container, root first, ending with the container.
	Ancestors []Ancestor `msgpack:"ancestors,omitempty"`
	Labels    []string   `msgpack:"labels,omitempty"`
	// DownloadPath is the v1 REST download path relative to /wiki.
	DownloadPath string `msgpack:"download_path"`
	// Restrictions are the read restrictions of the nodes on the
	// container's path (container included) that the bulk listing found,
	// as in ContentFetched.
	Restrictions []Restriction `msgpack:"restrictions,omitempty"`
}

// Schema implements Message.
func (*AttachmentFound) Schema() Schema { return SchemaAttachmentFound }

// Track implements Tracked.
func (m *AttachmentFound) Track() (string, string, string) { return m.CrawlID, m.SpaceID, m.ID }

// BlobRef points at an object in the object store.
type BlobRef struct {
	Bucket string `msgpack:"bucket"`
	Name   string `msgpack:"name"`
	Size   int64  `msgpack:"size"`
	Digest string `msgpack:"digest"` // "SHA-256=<base64url>" as the object store reports it
}

// AttachmentStored is an attachment whose bytes are in the object store, or
// that was kept as metadata only. Subject: Subjects.AttachmentStored.
type AttachmentStored struct {
	Attachment AttachmentFound `msgpack:"attachment"`
	// Blob is nil when the file was not stored.
	Blob *BlobRef `msgpack:"blob,omitempty"`
	// Skipped says why the bytes were not stored (e.g. "larger than
	// max_size 100MB"); the document is still written, metadata only.
	Skipped string `msgpack:"skipped,omitempty"`
	// Text is the file's plain text, filled in by the extractor stage
	// (at most content.attachments.extract.max_text bytes). Large texts
	// travel by claim check like any large payload.
	Text string `msgpack:"text,omitempty"`
	// Extraction is the extractor's verdict (see ExtractionOK …); empty on
	// the downloader's message, which the extractor has not seen yet.
	Extraction string `msgpack:"extraction,omitempty"`
}

// Extraction verdicts of the extractor stage. A failure is written
// "failed: <reason>", a file not read "skipped: <reason>".
const (
	ExtractionOK          = "ok"          // the whole text
	ExtractionTruncated   = "truncated"   // the text was cut at max_text
	ExtractionUnsupported = "unsupported" // a format the extractor does not read
	ExtractionFailed      = "failed"      // prefix: "failed: <reason>"
	ExtractionSkipped     = "skipped"     // prefix: "skipped: <reason>" (no bytes, or over max_file_size)
)

// Schema implements Message.
func (*AttachmentStored) Schema() Schema { return SchemaAttachmentStored }

// Track implements Tracked.
func (m *AttachmentStored) Track() (string, string, string) {
	return m.Attachment.CrawlID, m.Attachment.SpaceID, m.Attachment.ID
}
