package bus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/pkg/bus"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPermissionViolationIsLogged: a publish the server's permissions
// refuse comes back as an asynchronous error, which nats.go would print
// as plain text to stderr; with LogHandlers it is a log record.
func TestPermissionViolationIsLogged(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true,
		Users: []*server.User{{Username: "worker", Password: "pw",
			Permissions: &server.Permissions{Publish: &server.SubjectPermission{Allow: []string{"allowed.>"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	for _, how := range []string{"Connect", "LogHandlers"} {
		var nc *nats.Conn
		if how == "Connect" {
			nc, err = bus.Connect(context.Background(), bus.ConnectOptions{URL: srv.ClientURL(), User: "worker", Password: "pw", Logger: log})
		} else {
			nc, err = nats.Connect(srv.ClientURL(), append([]nats.Option{nats.UserInfo("worker", "pw")}, bus.LogHandlers(log)...)...)
		}
		if err != nil {
			t.Fatal(err)
		}
		before := strings.Count(logs.String(), "Permissions Violation")
		if err := nc.Publish("forbidden."+how, []byte("x")); err != nil {
			t.Fatal(err)
		}
		_ = nc.Flush()
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(logs.String(), "Permissions Violation") == before {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no log record of the permission violation:\n%s", how, logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		nc.Close()
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("not a JSON line: %q", line)
		}
	}
}
