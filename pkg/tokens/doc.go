// Package tokens is the client side of the token broker
// (services/tokenbroker) and the wire format both sides speak.
//
// Stages never hold a Confluence secret. They ask the broker for a
// credential over NATS request/reply on conflux.<site>.token.get and report
// a rejected one on conflux.<site>.token.invalidate; NewBrokerCredentials
// wraps this as a confluence.Credentials that caches the credential until
// shortly before it expires.
//
// Requests and replies are JSON (so that `nats req` can be used by hand).
// A failure travels as a micro service error (headers Nats-Service-Error
// and Nats-Service-Error-Code) with an ErrorReply body: code 403 means the
// grant is gone and a person must run oauth2-tokenfetcher again
// (ErrReauthorizationNeeded: pause the crawl, do not fail items); code 503
// means no credential is available yet (retry later).
package tokens
