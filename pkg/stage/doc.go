// Package stage runs one pipeline stage: it reads the stage's input
// through the one durable pull consumer that all replicas of the stage
// share, hands each message to a handler with bounded concurrency, and
// settles it from the handler's result:
//
//   - nil: Ack.
//   - Permanent(err): publish a proto.DeadLetter, then Term.
//   - RetryAfter(err, d): NakWithDelay(d), e.g. for a rate limit.
//   - any other error: NakWithDelay with capped, jittered exponential
//     back-off; at the consumer's last allowed delivery, dead letter and
//     Term instead.
//
// A message that cannot be decoded (bad msgpack, no or unknown schema, a
// lost claim) never reaches the handler: it is dead-lettered with the
// reason at once. While a handler runs, the message's AckWait is renewed
// (InProgress every AckWait/3). When the context of Run ends the runner
// stops pulling, lets in-flight handlers finish within a grace period,
// hands back (Nak) whatever it did not finish so another replica gets it,
// and returns.
//
// Handlers must be idempotent: a message is handled twice when it is
// redelivered (a lost ack, a replica that died mid-message).
package stage
