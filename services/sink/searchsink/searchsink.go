// Package searchsink is what the OpenSearch and Elasticsearch sinks share:
// the bulk body, the reading of bulk responses item by item, the retries of
// what a response marks retryable, the index templates, the identities
// index and the reading back. Each product talks through its own client
// library (packages ossink and essink implement Client); the two products
// answer the bulk, document and search APIs used here in the same shape.
//
// Documents go to the index Options.Index, one search document per
// document, _id the document id, _source the document exactly as every
// sink receives it. Writes use external versioning with
// version_type=external_gte and version = the document's version: a
// stored newer version refuses the write with a 409 version conflict,
// which is success (the older write is a no-op); the same version is
// applied again, since a permission-only sync changes an ACL without a
// new version (plain "external" would refuse that).
//
// Groups and users go to the identities index (Options.Index +
// "-identities"): one search document per group ("group:<id>": name,
// members, member_account_ids, member_emails) and one per user
// ("user:<account id>": account_id, email, groups, and the ready-made
// document-level-security query of that user, as Elastic's connectors
// write their access-control documents).
package searchsink

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Reply is a server's answer: the HTTP status and the body.
type Reply struct {
	Status int
	Body   []byte
}

// Client is one product's client library, reduced to the calls the sink
// makes. A transport error (no answer at all) is an error; any answer,
// whatever its status, is a Reply.
type Client interface {
	// Bulk posts an NDJSON bulk body to index; refresh asks for
	// refresh=wait_for.
	Bulk(ctx context.Context, index string, body []byte, refresh bool) (Reply, error)
	// PutIndexTemplate creates or replaces a composable index template.
	PutIndexTemplate(ctx context.Context, name string, body []byte) (Reply, error)
	// CreateIndex creates an index (400 resource_already_exists_exception
	// when it exists).
	CreateIndex(ctx context.Context, index string) (Reply, error)
	// Get reads one document by id.
	Get(ctx context.Context, index, id string) (Reply, error)
	// Search runs a search request body against index.
	Search(ctx context.Context, index string, body []byte) (Reply, error)
}

// Options tune the sink. The zero value of every field means its default.
type Options struct {
	// Index is the documents index. Required (sink.index; default conflux
	// in the configuration).
	Index string
	// Product names the product in errors ("opensearch", "elasticsearch").
	Product string
	// BatchDocs is the most documents one bulk request carries.
	// Default 500.
	BatchDocs int
	// BatchBytes is the most bytes one bulk request carries (a single
	// larger document still goes alone). Default 5 MiB.
	BatchBytes int
	// Attempts is how many times a bulk request, or the items of it that
	// came back retryable (429, 5xx), are sent in all. Default 6.
	Attempts int
	// Backoff is the first pause before a retry; it doubles each attempt
	// up to MaxBackoff. Default 200ms.
	Backoff time.Duration
	// MaxBackoff caps the pause between attempts. Default 5s.
	MaxBackoff time.Duration
}

func (o Options) withDefaults() Options {
	if o.BatchDocs <= 0 {
		o.BatchDocs = 500
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 5 << 20
	}
	if o.Attempts <= 0 {
		o.Attempts = 6
	}
	if o.Backoff <= 0 {
		o.Backoff = 200 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.Product == "" {
		o.Product = "search"
	}
	return o
}

// Sink writes to one OpenSearch or Elasticsearch cluster. It is safe for
// concurrent use.
type Sink struct {
	c   Client
	opt Options
	// groupsMu serializes WriteGroups, which reads and rewrites user
	// documents; written remembers the groups already written unchanged.
	groupsMu sync.Mutex
	written  map[string]string
}

var _ sinkport.Backend = (*Sink)(nil)

// New returns a sink on c. Call Setup before the first write.
func New(c Client, opt Options) (*Sink, error) {
	if opt.Index == "" {
		return nil, errors.New("search sink: no index name")
	}
	return &Sink{c: c, opt: opt.withDefaults(), written: map[string]string{}}, nil
}

// Identities is the name of the identities index beside the documents
// index.
func (s *Sink) Identities() string { return s.opt.Index + "-identities" }

// Close releases nothing: the client libraries hold no connection that
// needs closing beyond idle HTTP connections.
func (s *Sink) Close() error { return nil }

func (s *Sink) errorf(format string, args ...any) error {
	return fmt.Errorf(s.opt.Product+" sink: "+format, args...)
}
