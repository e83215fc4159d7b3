package deployments_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// binaries are the conflux binary of this repository and nats-server from
// the module this module requires, built once for the tests of the
// package that run them as processes (TestChaos, TestFleetUnderAccounts,
// which run side by side) and removed by TestMain.
var binaries struct {
	once                sync.Once
	dir                 string
	conflux, natsServer string
	err                 error
}

// buildBinaries returns the paths of the conflux and nats-server
// binaries, building both on the first call.
func buildBinaries(t *testing.T) (conflux, natsServer string) {
	t.Helper()
	binaries.once.Do(func() {
		if binaries.dir, binaries.err = os.MkdirTemp("", "conflux-deployments-test-"); binaries.err != nil {
			return
		}
		binaries.conflux = filepath.Join(binaries.dir, "conflux")
		binaries.natsServer = filepath.Join(binaries.dir, "nats-server")
		for _, b := range [][]string{
			{"build", "-o", binaries.conflux, "../services/conflux/cmd/conflux"},
			{"build", "-o", binaries.natsServer, "github.com/nats-io/nats-server/v2"},
		} {
			if out, err := exec.Command("go", b...).CombinedOutput(); err != nil {
				binaries.err = fmt.Errorf("go %s: %v\n%s", strings.Join(b, " "), err, out)
				return
			}
		}
	})
	if binaries.err != nil {
		t.Fatal(binaries.err)
	}
	return binaries.conflux, binaries.natsServer
}

// TestMain sets what nats/cluster.conf and nats/accounts.conf read from
// the environment (the server name of the in-process server, every
// password) once for the whole package, as t.Setenv is not allowed in
// the tests that run in parallel; the chaos cluster's nodes get their own
// NATS_SERVER_NAME. It removes the binaries built.
func TestMain(m *testing.M) {
	_ = os.Setenv("NATS_SERVER_NAME", "nats-test")
	for _, u := range append(append([]string{}, users...), "operator", "sys") {
		_ = os.Setenv(strings.ToUpper(u)+"_PASSWORD", password(u))
	}
	code := m.Run()
	if binaries.dir != "" {
		_ = os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}
