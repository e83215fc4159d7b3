package proto

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Stream names. One stream per stage input, retention Limits, so any stage
// can be replayed from a sequence or a time.
const (
	StreamCrawl       = "CONFLUX_CRAWL"       // crawl requests, progress, finished
	StreamSpaces      = "CONFLUX_SPACES"      // space messages
	StreamContent     = "CONFLUX_CONTENT"     // pages, blog posts, folders, comments
	StreamAttachments = "CONFLUX_ATTACHMENTS" // attachments to download
	StreamStored      = "CONFLUX_STORED"      // downloaded attachments
	StreamExtracted   = "CONFLUX_EXTRACTED"   // downloaded attachments with their text
	StreamDocuments   = "CONFLUX_DOCS"        // finished documents: one per subject
	StreamDeadLetters = "CONFLUX_DLQ"         // what a stage gave up on
	StreamSitewide    = "CONFLUX_SITEWIDE"    // a crawl's site-wide comment and attachment lists, by space
)

// Stage names; each is also the prefix of its durable consumer.
const (
	StageEnumerator  = "enumerator"
	StageFetcher     = "fetcher"
	StageAttachments = "attachments"
	StageExtractor   = "extractor"
	StagePermissions = "permissions"
	StageSink        = "sink"
	StageTokenBroker = "tokenbroker"
)

// Key-value buckets and object stores.
const (
	BucketTokens      = "CONFLUX_TOKENS"      // the token broker's state (CAS only)
	BucketLeases      = "CONFLUX_LEASES"      // short leases (who refreshes)
	BucketUsers       = "CONFLUX_USERS"       // account id → email, from the users CSV
	BucketCache       = "CONFLUX_CACHE"       // restrictions, space permissions, groups per crawl
	BucketCheckpoints = "CONFLUX_CHECKPOINTS" // per space: last incremental checkpoint
	BucketProgress    = "CONFLUX_PROGRESS"    // crawl progress and item outcomes
	BucketIncludes    = "CONFLUX_INCLUDES"    // the sink's include index: page titles and their includers
	ObjectBlobs       = "CONFLUX_BLOBS"       // attachment bytes
	ObjectBlobsLarge  = "CONFLUX_BLOBS_LARGE" // attachment bytes of files of LargeBlob bytes or more
	ObjectClaims      = "CONFLUX_CLAIMS"      // payloads over the claim-check threshold
)

// Options size the topology.
type Options struct {
	// Replicas of every stream, bucket and object store (1, or 3 on a
	// three-node cluster). Default 1.
	Replicas int
	// MaxAge of the event streams. Default 30 days.
	MaxAge time.Duration
	// Duplicates is the de-duplication window. Default 10 minutes.
	Duplicates time.Duration
	// MaxDeliver for every durable consumer. Default 6.
	MaxDeliver int
	// AckWait for every durable consumer. Default 60s.
	AckWait time.Duration
	// MaxAckPending for every durable consumer. Default 256; the sink's
	// consumers take at least SinkMaxAckPending.
	MaxAckPending int
}

func (o Options) withDefaults() Options {
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 30 * 24 * time.Hour
	}
	if o.Duplicates <= 0 {
		o.Duplicates = 10 * time.Minute
	}
	if o.MaxDeliver <= 0 {
		o.MaxDeliver = 6
	}
	if o.AckWait <= 0 {
		o.AckWait = 60 * time.Second
	}
	if o.MaxAckPending <= 0 {
		o.MaxAckPending = 256
	}
	return o
}

// Streams returns the configuration of every stream.
func Streams(o Options) []jetstream.StreamConfig {
	o = o.withDefaults()
	mk := func(name, desc string, subjects ...string) jetstream.StreamConfig {
		return jetstream.StreamConfig{
			Name: name, Description: desc, Subjects: subjects,
			Retention: jetstream.LimitsPolicy, Discard: jetstream.DiscardOld,
			Storage: jetstream.FileStorage, Replicas: o.Replicas,
			MaxAge: o.MaxAge, Duplicates: o.Duplicates,
			AllowDirect: true,
		}
	}
	docs := mk(StreamDocuments, "finished documents; the compacted state of each site", "conflux.*.doc.>")
	docs.MaxAge = 0 // the state of the site: kept until a tombstone replaces it
	docs.MaxMsgsPerSubject = 1
	dlq := mk(StreamDeadLetters, "messages a stage gave up on", "conflux.*.dlq.>")
	dlq.MaxAge = 90 * 24 * time.Hour
	sitewide := mk(StreamSitewide, "comments and attachments of a crawl's site-wide lists, by space", "conflux.*.sitewide.>")
	sitewide.MaxAge = min(o.MaxAge, 7*24*time.Hour) // read by the crawl that wrote it
	return []jetstream.StreamConfig{
		mk(StreamCrawl, "crawl requests, progress and results", "conflux.*.crawl.>"),
		mk(StreamSpaces, "spaces to crawl", "conflux.*.space.>"),
		mk(StreamContent, "fetched content items", "conflux.*.content.>"),
		mk(StreamAttachments, "attachments to download", "conflux.*.attachment.>"),
		mk(StreamStored, "downloaded attachments", "conflux.*.stored.>"),
		mk(StreamExtracted, "downloaded attachments with their text", "conflux.*.extracted.>"),
		docs,
		dlq,
		sitewide,
	}
}

// SinkMaxAckPending is the least MaxAckPending of the sink's consumers:
// the sink writes documents in batches of hundreds (group commit), each
// acked once its batch is durable, so it holds many messages at once.
const SinkMaxAckPending = 1024

// Consumer describes one durable consumer of a stage.
type Consumer struct {
	Stage  string
	Stream string
	Config jetstream.ConsumerConfig
}

// Durable names the durable consumer of a stage on a stream for a site:
// "<stage>_<input>_<site token>".
func Durable(stage, input, site string) string {
	return stage + "_" + input + "_" + SiteToken(site)
}

// Consumers returns every durable consumer of a site: one per input of
// each stage of Stages, in order.
func Consumers(site string, o Options) []Consumer {
	o = o.withDefaults()
	sub := For(site)
	var out []Consumer
	for _, st := range Stages {
		for _, in := range st.Inputs {
			c := Consumer{Stage: st.Name, Stream: in.Stream, Config: jetstream.ConsumerConfig{
				Durable:       in.Durable(st.Name, site),
				Description:   st.Name + " reads " + in.Name,
				FilterSubject: sub.Pattern(in.Filter),
				AckPolicy:     jetstream.AckExplicitPolicy,
				AckWait:       o.AckWait,
				MaxDeliver:    o.MaxDeliver,
				MaxAckPending: o.MaxAckPending,
				DeliverPolicy: jetstream.DeliverAllPolicy,
			}}
			if st.Name == StageSink {
				c.Config.MaxAckPending = max(o.MaxAckPending, SinkMaxAckPending)
			}
			out = append(out, c)
		}
	}
	return out
}

// Buckets returns the configuration of every key-value bucket.
func Buckets(o Options) []jetstream.KeyValueConfig {
	o = o.withDefaults()
	mk := func(name, desc string, history uint8, ttl time.Duration) jetstream.KeyValueConfig {
		return jetstream.KeyValueConfig{
			Bucket: name, Description: desc, History: history, TTL: ttl,
			Storage: jetstream.FileStorage, Replicas: o.Replicas,
		}
	}
	leases := mk(BucketLeases, "short leases", 1, 15*time.Second)
	leases.LimitMarkerTTL = time.Minute
	return []jetstream.KeyValueConfig{
		mk(BucketTokens, "token broker state; updated by compare-and-set only", 5, 0),
		leases,
		mk(BucketUsers, "account id to email, imported from the users CSV", 1, 0),
		mk(BucketCache, "restrictions, space permissions and groups, per crawl", 1, 48*time.Hour),
		mk(BucketCheckpoints, "per-space incremental checkpoints", 5, 0),
		mk(BucketProgress, "crawl progress and item outcomes", 1, 14*24*time.Hour),
		mk(BucketIncludes, "page titles to ids and the pages that include them, for include macros", 1, 0),
	}
}

// LargeBlob is the declared size from which an attachment's bytes go to
// ObjectBlobsLarge: 16 MiB. The server keeps a file-store block's cache
// while the block is written and for 10 s after it was last read; a
// large file written into the blocks that the small files written at
// the same time are read from kept all those blocks cached (25 blocks of
// 8 MiB for a 200 MiB file). In a store of its own nothing reads a large
// file's blocks while they are written.
const LargeBlob = 16 << 20

// ObjectStores returns the configuration of every object store.
func ObjectStores(o Options) []jetstream.ObjectStoreConfig {
	o = o.withDefaults()
	return []jetstream.ObjectStoreConfig{
		{Bucket: ObjectBlobs, Description: "attachment bytes", Storage: jetstream.FileStorage, Replicas: o.Replicas},
		{Bucket: ObjectBlobsLarge, Description: "attachment bytes of large files", Storage: jetstream.FileStorage, Replicas: o.Replicas},
		{Bucket: ObjectClaims, Description: "claim-checked payloads", Storage: jetstream.FileStorage, Replicas: o.Replicas, TTL: 30 * 24 * time.Hour},
	}
}
