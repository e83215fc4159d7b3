// Package confluence is the Confluence Cloud client every conflux stage uses.
//
// It speaks the REST v2 API (/wiki/api/v2) for content, spaces, permissions
// and users, and the v1 API (/wiki/rest/api) where v2 has no equivalent:
// read restrictions, group members, CQL search and attachment downloads.
//
// Lists are streamed as iter.Seq2 iterators that fetch one page at a time;
// each follows the pagination rule of its endpoint (v2 cursors, v1
// start/limit, CQL cursors with short pages that are not the end, the
// cursorless ancestors walk). Every request has a timeout and is retried a
// bounded number of times on 429, 5xx, timeouts and connection errors, with
// capped, jittered exponential back-off; a Retry-After is never undercut. A
// 429 pauses the whole Client and is reported through Options.OnRateLimit so
// that other replicas can slow down too (Client.PauseUntil).
//
// Credentials come from a small interface (Credentials): a static API token
// (BasicAuth) or OAuth bearer tokens from the token broker, refreshed and
// retried once when Confluence rejects them. Authorization values never
// appear in logs or errors.
//
// Errors are classified once: match them with errors.Is against ErrNotFound,
// ErrUnauthorized, ErrRateLimited, ErrRetryable and ErrPermanent, and read an
// announced delay with RetryAfterOf.
package confluence
