package natstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ClusterReadyTimeout bounds how long StartCluster waits for the cluster
// to elect a JetStream meta leader and accept a replicated stream.
const ClusterReadyTimeout = 60 * time.Second

// StartCluster runs an n-node JetStream cluster in this process, every
// node on 127.0.0.1 with random client ports and its store in its own
// t.TempDir(). It returns once a stream with n replicas can be created,
// so the cluster is ready for R3 streams when n is 3. Every node is shut
// down at cleanup.
func StartCluster(t testing.TB, n int) []*server.Server {
	t.Helper()
	if n < 1 {
		t.Fatalf("natstest: cluster of %d nodes", n)
	}
	ports := freePorts(t, n)
	routes := make([]string, n)
	for i, p := range ports {
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", p)
	}
	servers := make([]*server.Server, n)
	for i := range n {
		o := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			NoSigs:     true,
			NoLog:      true,
			Cluster:    server.ClusterOpts{Name: "natstest", Host: "127.0.0.1", Port: ports[i]},
			Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
		}
		s, err := server.NewServer(o)
		if err != nil {
			t.Fatalf("natstest: new cluster node %d: %v", i+1, err)
		}
		t.Cleanup(func() { Shutdown(s) })
		servers[i] = s
	}
	startAll(t, servers)
	waitClusterReady(t, servers)
	return servers
}

// ClusterURL returns the client URLs of servers joined by commas, so a
// client can fail over between them.
func ClusterURL(servers []*server.Server) string {
	urls := make([]string, 0, len(servers))
	for _, s := range servers {
		urls = append(urls, s.ClientURL())
	}
	return strings.Join(urls, ",")
}

// freePorts reserves n loopback ports by listening and closing, so every
// node can name all route URLs before any node starts.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("natstest: reserve a port: %v", err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		defer l.Close()
	}
	return ports
}

// startAll starts the nodes concurrently: a node waits for its routes, so
// starting them one by one would be slow.
func startAll(t testing.TB, servers []*server.Server) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(servers))
	for i, s := range servers {
		wg.Go(func() {
			go s.Start()
			if !s.ReadyForConnections(ReadyTimeout) {
				errs[i] = fmt.Errorf("node %s not ready after %s", s.Name(), ReadyTimeout)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("natstest: %v", err)
	}
}

// waitClusterReady creates and deletes a probe stream with one replica per
// node, each attempt with its own short timeout: before the meta leader is
// elected, a request hangs until its context ends.
func waitClusterReady(t testing.TB, servers []*server.Server) {
	t.Helper()
	nc, js := connect(t, ClusterURL(servers), nats.Name("natstest-probe"), nats.Timeout(10*time.Second))
	defer nc.Close()
	cfg := jetstream.StreamConfig{
		Name: "NATSTEST_PROBE", Subjects: []string{"natstest.probe"},
		Storage: jetstream.MemoryStorage, Replicas: len(servers),
	}
	deadline := time.Now().Add(ClusterReadyTimeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, last = js.CreateOrUpdateStream(ctx, cfg)
		if last == nil {
			last = js.DeleteStream(ctx, cfg.Name)
		}
		cancel()
		if last == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("natstest: cluster not ready after %s: %v", ClusterReadyTimeout, last)
}
