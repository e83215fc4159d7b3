package proto

// Document is what every sink receives: one item with its plain text and
// its exact read ACL. The JSON form is the file sink's documents/<id>.json.
type Document struct {
	ID        string   `msgpack:"id" json:"id"`
	Type      string   `msgpack:"type" json:"type"`
	Site      string   `msgpack:"site" json:"site"` // host, e.g. acme.atlassian.net
	SpaceKey  string   `msgpack:"space_key" json:"space_key"`
	SpaceID   string   `msgpack:"space_id" json:"space_id"`
	Title     string   `msgpack:"title" json:"title"`
	URL       string   `msgpack:"url" json:"url"`
	ParentID  *string  `msgpack:"parent_id" json:"parent_id"`
	Ancestors []string `msgpack:"ancestors" json:"ancestors"`
	// AncestorTitles are the titles of Ancestors, same length and order
	// (breadcrumbs); "" for a node whose title the crawl did not learn.
	AncestorTitles []string `msgpack:"ancestor_titles" json:"ancestor_titles"`
	ContainerID    *string  `msgpack:"container_id" json:"container_id"`
	Labels         []string `msgpack:"labels" json:"labels"`
	Version        int      `msgpack:"version" json:"version"`
	CreatedAt      string   `msgpack:"created_at" json:"created_at"` // RFC 3339, UTC, milliseconds
	UpdatedAt      string   `msgpack:"updated_at" json:"updated_at"`
	Author         Author   `msgpack:"author" json:"author"`
	// Body is the storage format; sinks convert it to BodyText. It is not
	// written to the file sink.
	Body string `msgpack:"body,omitempty" json:"-"`
	// BodyFormat is the format of Body: BodyStorage ("" means storage) or
	// BodyADF. Not written to the file sink.
	BodyFormat string          `msgpack:"body_format,omitempty" json:"-"`
	BodyText   string          `msgpack:"body_text" json:"body_text"`
	Attachment *AttachmentInfo `msgpack:"attachment" json:"attachment"`
	// Blob locates an attachment's bytes in the object store.
	Blob    *BlobRef `msgpack:"blob,omitempty" json:"-"`
	ACL     ACL      `msgpack:"acl" json:"acl"`
	CrawlID string   `msgpack:"crawl_id" json:"crawl_id"`
}

// Author is who created the item.
type Author struct {
	AccountID string `msgpack:"account_id" json:"account_id"`
	Email     string `msgpack:"email" json:"email"`
}

// AttachmentInfo describes an attachment document's file. Path is relative
// to the sink directory and empty when the bytes were not stored.
type AttachmentInfo struct {
	FileName  string `msgpack:"file_name" json:"file_name"`
	MediaType string `msgpack:"media_type" json:"media_type"`
	Size      int64  `msgpack:"size" json:"size"`
	Path      string `msgpack:"path" json:"path"`
	Skipped   string `msgpack:"skipped,omitempty" json:"skipped,omitempty"`
	// Extraction says how the file's text (the document's BodyText) was
	// found: ok, truncated, unsupported, "failed: <reason>" or
	// "skipped: <reason>" (see ExtractionOK …).
	Extraction string `msgpack:"extraction,omitempty" json:"extraction"`
}

// ACL is who may read a document. Groups and GroupNames name the same
// groups in the same order; a group is listed only where all its members
// are allowed. Users are the emails of the allowed accounts listed
// individually; AccountIDs lists those accounts, with or without email.
type ACL struct {
	Public     bool     `msgpack:"public" json:"public"`
	Users      []string `msgpack:"users" json:"users"`
	AccountIDs []string `msgpack:"account_ids" json:"account_ids"`
	Groups     []string `msgpack:"groups" json:"groups"`
	GroupNames []string `msgpack:"group_names" json:"group_names"`
}

// GroupMember is one member of a group, as the file sink writes it under
// identities/groups/<group id>.json.
type GroupMember struct {
	AccountID string `msgpack:"account_id" json:"account_id"`
	Email     string `msgpack:"email" json:"email"`
}

// Group is a group with its members.
type Group struct {
	ID      string        `msgpack:"id" json:"id"`
	Name    string        `msgpack:"name" json:"name"`
	Members []GroupMember `msgpack:"members" json:"members"`
}

// DocumentReady is a finished document. Subject: Subjects.Document; the
// documents stream keeps the last message per subject.
type DocumentReady struct {
	Document Document `msgpack:"document"`
	// Groups carries the groups the ACL names, with their members, so
	// that a sink can write identities without calling Confluence.
	Groups []Group `msgpack:"groups,omitempty"`
	// ACLOnly marks an update from a permission-only sync: the body and
	// the file are unchanged.
	ACLOnly bool `msgpack:"acl_only,omitempty"`
	// UserNames maps the account ids the body mentions to display names,
	// for the sink's conversion; an account whose name is hidden or
	// unknown is absent (the mention is left out of the text).
	UserNames map[string]string `msgpack:"user_names,omitempty"`
}

// Schema implements Message.
func (*DocumentReady) Schema() Schema { return SchemaDocumentReady }

// Track implements Tracked.
func (m *DocumentReady) Track() (string, string, string) {
	return m.Document.CrawlID, m.Document.SpaceID, m.Document.ID
}

// DocumentDeleted is the tombstone of a document the crawl no longer saw.
// Subject: Subjects.Document, the same subject as the document.
type DocumentDeleted struct {
	CrawlID string `msgpack:"crawl_id"`
	SpaceID string `msgpack:"space_id"`
	ID      string `msgpack:"id"`
	Type    string `msgpack:"type,omitempty"`
	Reason  string `msgpack:"reason"`
}

// Schema implements Message.
func (*DocumentDeleted) Schema() Schema { return SchemaDocumentDeleted }

// DeadLetter is a message a stage gave up on, with why.
// Subject: Subjects.DeadLetter.
type DeadLetter struct {
	Stage      string              `msgpack:"stage"`
	Stream     string              `msgpack:"stream"`
	Consumer   string              `msgpack:"consumer"`
	Subject    string              `msgpack:"subject"`
	Sequence   uint64              `msgpack:"sequence"`
	Deliveries uint64              `msgpack:"deliveries"`
	Error      string              `msgpack:"error"`
	Headers    map[string][]string `msgpack:"headers"`
	Payload    []byte              `msgpack:"payload"`
	CrawlID    string              `msgpack:"crawl_id,omitempty"`
	SpaceID    string              `msgpack:"space_id,omitempty"`
	ItemID     string              `msgpack:"item_id,omitempty"`
}

// Schema implements Message.
func (*DeadLetter) Schema() Schema { return SchemaDeadLetter }
