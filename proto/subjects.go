package proto

import (
	"net/url"
	"strings"
)

// Subjects builds the subjects of one Confluence site. Every subject starts
// with "conflux.<site>." so that one NATS cluster can serve several sites.
type Subjects struct{ site string }

// For returns the subjects of a site given as a URL
// ("https://acme.atlassian.net") or a host.
func For(site string) Subjects { return Subjects{site: SiteToken(site)} }

// Site returns the site's subject token.
func (s Subjects) Site() string { return s.site }

// SiteToken turns a site URL or host into one subject token: the host,
// lower case, with every character outside [a-z0-9-] replaced by "_".
// "https://acme.atlassian.net" becomes "acme_atlassian_net".
func SiteToken(site string) string {
	host := site
	if u, err := url.Parse(site); err == nil && u.Host != "" {
		host = u.Host
	}
	return Token(strings.ToLower(host))
}

// Token makes s safe as one subject token (and as a KV key part): every
// character outside [A-Za-z0-9_-] becomes "_"; an empty s becomes "_".
func Token(s string) string {
	if s == "" {
		return "_"
	}
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

func (s Subjects) join(parts ...string) string {
	out := "conflux." + s.site
	for _, p := range parts {
		out += "." + p
	}
	return out
}

// CrawlRequested is where crawl requests go.
func (s Subjects) CrawlRequested() string { return s.join("crawl", "requested") }

// CrawlFinished is where a finished crawl is announced.
func (s Subjects) CrawlFinished(crawlID string) string {
	return s.join("crawl", "finished", Token(crawlID))
}

// CrawlProgress is where progress snapshots of a crawl go.
func (s Subjects) CrawlProgress(crawlID string) string {
	return s.join("crawl", "progress", Token(crawlID))
}

// Space carries one space of a crawl.
func (s Subjects) Space(spaceID string) string { return s.join("space", Token(spaceID)) }

// Content carries one page, blog post, folder or comment.
func (s Subjects) Content(spaceID, id string) string {
	return s.join("content", Token(spaceID), Token(id))
}

// Attachment carries an attachment to download.
func (s Subjects) Attachment(spaceID, id string) string {
	return s.join("attachment", Token(spaceID), Token(id))
}

// AttachmentStored carries a downloaded attachment.
func (s Subjects) AttachmentStored(spaceID, id string) string {
	return s.join("stored", Token(spaceID), Token(id))
}

// AttachmentExtracted carries a downloaded attachment with its text, from
// the extractor to the permission resolver.
func (s Subjects) AttachmentExtracted(spaceID, id string) string {
	return s.join("extracted", Token(spaceID), Token(id))
}

// Document carries the latest state of one document: DocumentReady, or a
// DocumentDeleted tombstone.
func (s Subjects) Document(spaceID, id string) string {
	return s.join("doc", Token(spaceID), Token(id))
}

// Documents matches every document of a space ("" for all spaces).
func (s Subjects) Documents(spaceID string) string {
	if spaceID == "" {
		return s.join("doc", ">")
	}
	return s.join("doc", Token(spaceID), "*")
}

// Sitewide carries the comments (ContentFetched) and attachments
// (AttachmentFound) of one space that a crawl's site-wide lists returned,
// for the fetcher of that space to complete and publish.
func (s Subjects) Sitewide(crawlID, spaceID string) string {
	return s.join("sitewide", Token(crawlID), Token(spaceID))
}

// DeadLetter is where a stage sends what it gave up on.
func (s Subjects) DeadLetter(stage string) string { return s.join("dlq", Token(stage)) }

// TokenGet is the token broker's request subject for credentials.
func (s Subjects) TokenGet() string { return s.join("token", "get") }

// TokenInvalidate tells the broker a credential was refused.
func (s Subjects) TokenInvalidate() string { return s.join("token", "invalidate") }

// RateLimit is a core NATS subject (no stream) on which any replica that
// sees a 429 announces the back-off, so that all replicas slow down.
func (s Subjects) RateLimit() string { return s.join("ratelimit") }

// RateBudget is a core NATS subject (no stream) on which every process
// that calls Confluence announces itself, so that each takes an equal share
// of the fleet's configured request rate.
func (s Subjects) RateBudget() string { return s.join("ratebudget") }

// Kind returns the family of a subject: "content", "doc", … .
func Kind(subject string) string {
	parts := strings.SplitN(subject, ".", 4)
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}
