// Package natstest starts real, embedded NATS servers with JetStream for
// tests: one server per test on a random loopback port with its store in
// t.TempDir(), or a small in-process cluster for replicated streams. Every
// server and connection is shut down at cleanup.
//
// Only tests and the all-in-one binary should import this package: it
// links the NATS server.
package natstest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ReadyTimeout bounds how long Start and StartCluster wait for a server to
// accept connections. It is generous because test machines are loaded.
const ReadyTimeout = 30 * time.Second

// Option changes the server options before the server starts.
type Option func(*server.Options)

// WithMaxPayload sets the largest message the server accepts, in bytes
// (the server's default is 1 MiB).
func WithMaxPayload(n int32) Option { return func(o *server.Options) { o.MaxPayload = n } }

// WithInProcess starts the server without a TCP listener; Connect then
// connects in process.
func WithInProcess() Option { return func(o *server.Options) { o.DontListen = true } }

// Start runs an embedded JetStream server on 127.0.0.1 with a random port
// and its store in t.TempDir(). It is shut down at cleanup.
func Start(t testing.TB, opts ...Option) *server.Server {
	t.Helper()
	return start(t, t.TempDir(), opts)
}

// StartDir is Start with the store in dir, so that a test can shut a
// server down and start another on the same data.
func StartDir(t testing.TB, dir string) *server.Server {
	t.Helper()
	return start(t, dir, nil)
}

func start(t testing.TB, dir string, opts []Option) *server.Server {
	t.Helper()
	o := &server.Options{
		ServerName: "natstest",
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		JetStream:  true,
		StoreDir:   dir,
		NoSigs:     true,
		NoLog:      true,
	}
	for _, opt := range opts {
		opt(o)
	}
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatalf("natstest: new server: %v", err)
	}
	t.Cleanup(func() { Shutdown(s) })
	go s.Start()
	if !s.ReadyForConnections(ReadyTimeout) {
		t.Fatalf("natstest: server not ready after %s", ReadyTimeout)
	}
	return s
}

// Shutdown stops a server and waits until it has stopped. It is safe to
// call more than once, so a test may stop a server before its cleanup does.
func Shutdown(s *server.Server) {
	s.Shutdown()
	s.WaitForShutdown()
}

// Connect connects to s (in process when s has no listener) and returns
// the connection and its JetStream context; the connection is closed at
// cleanup.
func Connect(t testing.TB, s *server.Server) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	opts := []nats.Option{nats.Name(t.Name()), nats.Timeout(10 * time.Second)}
	url := s.ClientURL()
	if s.Addr() == nil {
		url = ""
		opts = append(opts, nats.InProcessServer(s))
	}
	return connect(t, url, opts...)
}

func connect(t testing.TB, url string, opts ...nats.Option) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatalf("natstest: connect %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("natstest: jetstream: %v", err)
	}
	return nc, js
}
