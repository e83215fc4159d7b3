package proto

import "time"

// CrawlKind says how much a crawl fetches.
type CrawlKind string

// The kinds of crawl.
const (
	// CrawlFull lists every included space to the end and sweeps what it no
	// longer saw.
	CrawlFull CrawlKind = "full"
	// CrawlIncremental fetches what changed since each space's checkpoint.
	CrawlIncremental CrawlKind = "incremental"
	// CrawlPermissions recomputes every document's ACL without fetching
	// bodies or files again.
	CrawlPermissions CrawlKind = "permissions"
)

// CrawlRequested asks the space enumerator for a crawl.
// Subject: Subjects.CrawlRequested.
type CrawlRequested struct {
	CrawlID     string    `msgpack:"crawl_id"`
	Site        string    `msgpack:"site"` // the site URL, e.g. https://acme.atlassian.net
	Kind        CrawlKind `msgpack:"kind"`
	RequestedAt time.Time `msgpack:"requested_at"`
	// Force lets the sweep delete more than the configured share of a space.
	Force bool `msgpack:"force,omitempty"`
}

// Schema implements Message.
func (*CrawlRequested) Schema() Schema { return SchemaCrawlRequested }

// SpaceFound is one space the crawl covers. Subject: Subjects.Space.
type SpaceFound struct {
	CrawlID    string    `msgpack:"crawl_id"`
	Kind       CrawlKind `msgpack:"kind"`
	SpaceID    string    `msgpack:"space_id"`
	SpaceKey   string    `msgpack:"space_key"`
	Name       string    `msgpack:"name"`
	Type       string    `msgpack:"type"`   // global | personal | …
	Status     string    `msgpack:"status"` // current | archived
	HomepageID string    `msgpack:"homepage_id,omitempty"`
	// Since is the space's checkpoint for an incremental crawl (zero: list
	// everything).
	Since time.Time `msgpack:"since,omitempty"`
	// Sitewide says the space's comments and attachments come from the
	// crawl's site-wide lists, on Subjects.Sitewide, instead of the
	// per-container routes.
	Sitewide bool `msgpack:"sitewide,omitempty"`
}

// Schema implements Message.
func (*SpaceFound) Schema() Schema { return SchemaSpaceFound }

// CrawlProgress is a snapshot of a crawl's counts, published for watchers.
// Subject: Subjects.CrawlProgress.
type CrawlProgress struct {
	CrawlID string          `msgpack:"crawl_id"`
	Spaces  []SpaceProgress `msgpack:"spaces"`
	At      time.Time       `msgpack:"at"`
}

// Schema implements Message.
func (*CrawlProgress) Schema() Schema { return SchemaCrawlProgress }

// SpaceProgress counts one space of a crawl. The space is complete when
// Listed is known and Written+Dropped+Failed equals it.
type SpaceProgress struct {
	SpaceID      string `msgpack:"space_id"`
	SpaceKey     string `msgpack:"space_key"`
	ListingDone  bool   `msgpack:"listing_done"`
	ListingError string `msgpack:"listing_error,omitempty"`
	Listed       int    `msgpack:"listed"`
	Attachments  int    `msgpack:"attachments,omitempty"` // of Listed, how many are attachments
	Written      int    `msgpack:"written"`
	Dropped      int    `msgpack:"dropped"`
	Failed       int    `msgpack:"failed"`
	Deleted      int    `msgpack:"deleted"`
}

// Complete reports whether every listed item has an outcome.
func (p SpaceProgress) Complete() bool {
	return p.ListingDone && p.Written+p.Dropped+p.Failed >= p.Listed
}

// CrawlFinished says a crawl is complete. Subject: Subjects.CrawlFinished.
type CrawlFinished struct {
	CrawlID  string          `msgpack:"crawl_id"`
	Kind     CrawlKind       `msgpack:"kind"`
	OK       bool            `msgpack:"ok"`
	Spaces   []SpaceProgress `msgpack:"spaces"`
	Failures []string        `msgpack:"failures,omitempty"` // one line each: what failed and why
	Notes    []string        `msgpack:"notes,omitempty"`    // what was done differently, e.g. metadata-only attachments
	// Partial says a listing failed (a space's, or the list of spaces):
	// what was listed is written, nothing of an incomplete space deleted.
	Partial bool `msgpack:"partial,omitempty"`
	// CredentialsRefused says Confluence refused the crawler's
	// credentials while listing.
	CredentialsRefused bool      `msgpack:"credentials_refused,omitempty"`
	Started            time.Time `msgpack:"started"`
	Finished           time.Time `msgpack:"finished"`
}

// Schema implements Message.
func (*CrawlFinished) Schema() Schema { return SchemaCrawlFinished }
