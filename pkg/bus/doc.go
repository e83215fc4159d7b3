// Package bus is how conflux talks to NATS JetStream: it connects (by URL
// with user and password, token, NKey, creds file or TLS, or in process to
// an embedded server), starts the embedded server of the all-in-one
// binary, creates the whole topology of proto/ idempotently, publishes
// messages (msgpack, schema header, deterministic Nats-Msg-Id, claim check
// for large payloads) and decodes them again. It also reports per-stage
// consumer lag for `conflux status` and rewinds or replays a stream for
// `conflux replay`.
//
// The claim check is invisible to handlers: a payload larger than the
// threshold (256 KiB by default) is stored in the object store
// proto.ObjectClaims under a content-addressed name, the message carries
// that name in the Conflux-Claim header and an empty body, and DecodeMsg
// fetches it back.
package bus
