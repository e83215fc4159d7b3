package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The conflux binary, built once for every test and benchmark of the
// package that runs it as a process, and removed by TestMain.
var conflux struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildConflux returns the path of the conflux binary, building it on the
// first call.
func buildConflux(tb testing.TB) string {
	tb.Helper()
	conflux.once.Do(func() {
		if conflux.dir, conflux.err = os.MkdirTemp("", "conflux-cli-test-"); conflux.err != nil {
			return
		}
		conflux.bin = filepath.Join(conflux.dir, "conflux")
		if out, err := exec.Command("go", "build", "-o", conflux.bin, "../../cmd/conflux").CombinedOutput(); err != nil {
			conflux.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if conflux.err != nil {
		tb.Fatal(conflux.err)
	}
	return conflux.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if conflux.dir != "" {
		_ = os.RemoveAll(conflux.dir)
	}
	os.Exit(code)
}
