package bus_test

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/pkg/bus"
)

// TestAuthenticated: a server that asks for a token, an in-process
// connection, and an open server reached over the network.
func TestAuthenticated(t *testing.T) {
	start := func(o bus.EmbeddedOptions) *server.Server {
		o.DataDir = t.TempDir()
		s, err := bus.StartEmbedded(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
		return s
	}
	connect := func(url string, opts ...nats.Option) *nats.Conn {
		nc, err := nats.Connect(url, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
	open := start(bus.EmbeddedOptions{})
	guarded := start(bus.EmbeddedOptions{Token: "s3cret"})
	inproc := start(bus.EmbeddedOptions{Port: -1})
	cases := []struct {
		name string
		nc   *nats.Conn
		want bool
	}{
		{"open server over the network", connect(open.ClientURL()), false},
		{"open server in process while it listens", connect("", nats.InProcessServer(open)), false},
		{"server requiring a token", connect(guarded.ClientURL(), nats.Token("s3cret")), true},
		{"embedded without a listener", connect("", nats.InProcessServer(inproc)), true},
		{"no connection", nil, false},
	}
	for _, c := range cases {
		if got := bus.Authenticated(c.nc); got != c.want {
			t.Errorf("%s: Authenticated = %v, want %v", c.name, got, c.want)
		}
	}
}
