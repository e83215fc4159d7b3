package tokenbroker

import (
	"errors"
	"fmt"

	"github.com/conflux-dev/conflux/pkg/bus"
)

// ErrUnauthenticatedNATS: the broker will not hand out credentials on a
// NATS server that any client may reach without credentials, since any
// such client could ask token.get for them.
var ErrUnauthenticatedNATS = errors.New("the NATS server asks no credentials of its clients")

// checkTransport refuses a connection on which token.get and
// token.invalidate (whose replies are credentials) would be open to
// anyone, unless nats.insecure_allow_unauthenticated says this is a local
// test.
func checkTransport(d Deps) error {
	if bus.Authenticated(d.NC) {
		return nil
	}
	server := bus.RedactURL(d.NC.ConnectedUrl())
	if d.Config.NATS.InsecureAllowUnauthenticated {
		d.Logger.Warn("serving credentials on a NATS server that asks no credentials of its clients (nats.insecure_allow_unauthenticated); for local tests only",
			"nats_server", server)
		return nil
	}
	return fmt.Errorf("tokenbroker: refusing to serve credentials on %s: %w; run NATS with authentication and set nats.user and nats.password, nats.token, nats.nkey_file or nats.creds_file (or, for a local test only, nats.insecure_allow_unauthenticated: true)",
		server, ErrUnauthenticatedNATS)
}
