package bus

import (
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Authenticated reports whether only authenticated clients can reach
// what nc reaches: the server asks every client for credentials
// (auth_required in its INFO), or nc is an in-process connection to an
// embedded server that opened no network listener. A process that hands
// out secrets over NATS (the token broker) checks this before it serves.
func Authenticated(nc *nats.Conn) bool {
	if nc == nil {
		return false
	}
	if nc.AuthRequired() {
		return true
	}
	s, ok := nc.Opts.InProcessServer.(*server.Server)
	return ok && s.Addr() == nil
}
