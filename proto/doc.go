// Package proto is the wire contract of conflux: one Go type per message
// that travels over NATS JetStream, the subjects they travel on, the header
// that names their schema, and the declaration of every stream, durable
// consumer, key-value bucket and object store.
//
// Payloads are msgpack. Every message carries its schema name and version
// in the Conflux-Schema header ("content.fetched/1"), so a reader can refuse
// what it does not understand instead of misreading it. Golden files under
// testdata/ pin the bytes of every message: a change that cannot read old
// messages fails a test.
package proto
