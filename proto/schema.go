package proto

import (
	"fmt"
	"strconv"
	"strings"
)

// HeaderSchema names the header that carries a message's schema, as
// "<name>/<version>", for example "content.fetched/1".
const HeaderSchema = "Conflux-Schema"

// HeaderCrawl names the header that carries the crawl id of a message.
const HeaderCrawl = "Conflux-Crawl"

// Schema identifies the type and version of a payload.
type Schema struct {
	Name    string
	Version int
}

// String renders the schema as it travels in the header.
func (s Schema) String() string { return s.Name + "/" + strconv.Itoa(s.Version) }

// ParseSchema reads a Conflux-Schema header value.
func ParseSchema(v string) (Schema, error) {
	name, ver, ok := strings.Cut(v, "/")
	if !ok || name == "" {
		return Schema{}, fmt.Errorf("schema header %q: want <name>/<version>", v)
	}
	n, err := strconv.Atoi(ver)
	if err != nil || n < 1 {
		return Schema{}, fmt.Errorf("schema header %q: bad version", v)
	}
	return Schema{Name: name, Version: n}, nil
}

// Message is implemented by every type that travels on the bus.
type Message interface {
	Schema() Schema
}

// Tracked is implemented by messages that count towards a crawl's
// completion: the stage that ends an item's journey (written, dropped or
// failed) records an outcome under these keys.
type Tracked interface {
	Message
	// Track returns the crawl, the space and the item (content or
	// attachment id) the message belongs to.
	Track() (crawlID, spaceID, itemID string)
}

// The schemas this version reads and writes.
var (
	SchemaCrawlRequested   = Schema{"crawl.requested", 1}
	SchemaSpaceFound       = Schema{"space.found", 1}
	SchemaContentFetched   = Schema{"content.fetched", 1}
	SchemaAttachmentFound  = Schema{"attachment.found", 1}
	SchemaAttachmentStored = Schema{"attachment.stored", 1}
	SchemaDocumentReady    = Schema{"document.ready", 1}
	SchemaDocumentDeleted  = Schema{"document.deleted", 1}
	SchemaCrawlProgress    = Schema{"crawl.progress", 1}
	SchemaCrawlFinished    = Schema{"crawl.finished", 1}
	SchemaDeadLetter       = Schema{"dead.letter", 1}
)

// Known lists every schema this version understands, keyed by its header
// value.
var Known = map[string]func() Message{
	SchemaCrawlRequested.String():   func() Message { return new(CrawlRequested) },
	SchemaSpaceFound.String():       func() Message { return new(SpaceFound) },
	SchemaContentFetched.String():   func() Message { return new(ContentFetched) },
	SchemaAttachmentFound.String():  func() Message { return new(AttachmentFound) },
	SchemaAttachmentStored.String(): func() Message { return new(AttachmentStored) },
	SchemaDocumentReady.String():    func() Message { return new(DocumentReady) },
	SchemaDocumentDeleted.String():  func() Message { return new(DocumentDeleted) },
	SchemaCrawlProgress.String():    func() Message { return new(CrawlProgress) },
	SchemaCrawlFinished.String():    func() Message { return new(CrawlFinished) },
	SchemaDeadLetter.String():       func() Message { return new(DeadLetter) },
}
