package deployments_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/conflux-dev/conflux/proto"
)

// users are the NATS users of nats/accounts.conf that run a worker, each
// with the environment variable holding its password.
var users = append(proto.StageNames(), "scheduler")

// password is the test password of a user of accounts.conf.
func password(user string) string { return "test-" + user + "-password" }

// violations records what the server logs about permission violations.
type violations struct {
	mu    sync.Mutex
	lines []string
}

func (v *violations) add(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if strings.Contains(line, "Violation") {
		v.mu.Lock()
		v.lines = append(v.lines, line)
		v.mu.Unlock()
	}
}

func (v *violations) all() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.lines...)
}

func (v *violations) Noticef(string, ...any)    {}
func (v *violations) Debugf(string, ...any)     {}
func (v *violations) Tracef(string, ...any)     {}
func (v *violations) Warnf(f string, a ...any)  { v.add(f, a...) }
func (v *violations) Errorf(f string, a ...any) { v.add(f, a...) }
func (v *violations) Fatalf(f string, a ...any) { v.add(f, a...) }

var _ server.Logger = (*violations)(nil)

// startAccountsServer starts a nats-server in this process from the real
// nats/cluster.conf (which includes nats/accounts.conf), with every
// password set in the environment, as a single node on a random loopback
// port with its store in a temporary directory (the cluster routes and
// /data of the file are for the three-node deployment). It returns the
// server and what it logs about permission violations.
func startAccountsServer(t *testing.T) (*server.Server, *violations) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"cluster.conf", "accounts.conf"} {
		b, err := os.ReadFile(filepath.Join("nats", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The passwords and NATS_SERVER_NAME, which the files read from the
	// environment, are set by TestMain.
	o, err := server.ProcessConfigFile(filepath.Join(dir, "cluster.conf"))
	if err != nil {
		t.Fatalf("nats/cluster.conf with nats/accounts.conf: %v", err)
	}
	o.Host, o.Port, o.HTTPPort = "127.0.0.1", server.RANDOM_PORT, 0
	o.Cluster, o.Routes = server.ClusterOpts{}, nil
	o.StoreDir = filepath.Join(dir, "jetstream")
	o.JetStreamMaxStore = 1 << 30
	o.NoSigs = true
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatalf("nats server: %v", err)
	}
	v := &violations{}
	s.SetLoggerV2(v, false, false, false)
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		t.Fatal("nats server not ready within 10s")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s, v
}
