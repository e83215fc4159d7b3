package proto

import "time"

// Keys of the progress bucket (BucketProgress). A crawl is complete when
// its meta says enumeration is done and every expected space is complete:
// its listing is recorded and written + dropped + failed outcomes equal
// the listed count. Outcomes are one key per item, so a redelivery that
// records the same outcome again does not count twice.
//
//	<crawl>.meta                 CrawlMeta
//	<crawl>.finished             CrawlFinished (written once, by the coordinator)
//	<crawl>.<space>.listing      Listing       (written by the fetcher)
//	<crawl>.<space>.o.<item>     Outcome       (written by the stage that ends the item)
//	<crawl>.<space>.sweep        Sweep         (written by the sink's sweeper)
//	<crawl>.<space>.d.<item>     Outcome       (a tombstone the sink applied)
type ProgressKeys struct{ crawl string }

// ProgressOf returns the progress keys of a crawl.
func ProgressOf(crawlID string) ProgressKeys { return ProgressKeys{crawl: Token(crawlID)} }

// Finished is the key of the crawl's CrawlFinished, written once.
func (k ProgressKeys) Finished() string { return k.crawl + ".finished" }

// Meta is the key of the crawl's CrawlMeta.
func (k ProgressKeys) Meta() string { return k.crawl + ".meta" }

// Listing is the key of a space's Listing.
func (k ProgressKeys) Listing(spaceID string) string {
	return k.crawl + "." + Token(spaceID) + ".listing"
}

// Outcome is the key of one item's Outcome.
func (k ProgressKeys) Outcome(spaceID, itemID string) string {
	return k.crawl + "." + Token(spaceID) + ".o." + Token(itemID)
}

// Outcomes matches every outcome key of a space.
func (k ProgressKeys) Outcomes(spaceID string) string { return k.crawl + "." + Token(spaceID) + ".o.*" }

// Deletion is the key recording that a sink applied one tombstone.
func (k ProgressKeys) Deletion(spaceID, itemID string) string {
	return k.crawl + "." + Token(spaceID) + ".d." + Token(itemID)
}

// Deletions matches every deletion key of a space.
func (k ProgressKeys) Deletions(spaceID string) string {
	return k.crawl + "." + Token(spaceID) + ".d.*"
}

// Sweep is the key of a space's Sweep.
func (k ProgressKeys) Sweep(spaceID string) string { return k.crawl + "." + Token(spaceID) + ".sweep" }

// All matches every key of the crawl.
func (k ProgressKeys) All() string { return k.crawl + ".>" }

// CrawlMeta records what a crawl covers.
type CrawlMeta struct {
	CrawlID string    `msgpack:"crawl_id"`
	Kind    CrawlKind `msgpack:"kind"`
	Site    string    `msgpack:"site"`
	Started time.Time `msgpack:"started"`
	Force   bool      `msgpack:"force,omitempty"`
	// Spaces are the expected spaces: id → key.
	Spaces map[string]string `msgpack:"spaces"`
	// EnumerationDone is set once Spaces is final.
	EnumerationDone  bool   `msgpack:"enumeration_done"`
	EnumerationError string `msgpack:"enumeration_error,omitempty"`
	// CredentialsRefused is set when a listing failed because Confluence
	// refused the credentials.
	CredentialsRefused bool `msgpack:"credentials_refused,omitempty"`
	// PermissionsFrom names, for an incremental crawl, the full or
	// permission-only crawl whose space permissions, groups and members it
	// reuses (membership changes are the permission-only sync's to find).
	PermissionsFrom string `msgpack:"permissions_from,omitempty"`
}

// Listing records a space's listing once the fetcher reached its end (or
// gave up on it).
type Listing struct {
	SpaceKey    string `msgpack:"space_key"`
	Items       int    `msgpack:"items"`       // content items published
	Attachments int    `msgpack:"attachments"` // attachments published
	// Error is non-empty when the listing is incomplete; then nothing of
	// the space may be deleted.
	Error string `msgpack:"error,omitempty"`
}

// Listed is the count of items whose outcome the crawl waits for.
func (l Listing) Listed() int { return l.Items + l.Attachments }

// Outcome states.
const (
	OutcomeWritten = "written"
	OutcomeDropped = "dropped"
	OutcomeFailed  = "failed"
)

// Outcome is how an item's journey ended.
type Outcome struct {
	State  string `msgpack:"state"`
	Stage  string `msgpack:"stage"`
	Reason string `msgpack:"reason,omitempty"`
}

// Sweep records the deletions a full crawl made in a space.
type Sweep struct {
	Deleted []string `msgpack:"deleted"`
	// Refused says why nothing was deleted (incomplete listing, guard).
	Refused string `msgpack:"refused,omitempty"`
}

// CheckpointKey is the key of a space's incremental checkpoint in
// BucketCheckpoints; its value is an RFC 3339 time. The fetcher writes it
// when a listing ends without error.
func CheckpointKey(site, spaceID string) string {
	return SiteToken(site) + "." + Token(spaceID)
}
