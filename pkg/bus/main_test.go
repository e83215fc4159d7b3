package bus_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(leakOptions()...); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: Errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// leakOptions tolerates one goroutine nats.go v1.55.0 leaks now and then
// in ObjectStore.Put: the put's own JetStream context starts
// resetPendingAcksOnReconnect and removes its status channel when the put
// ends; when that happens before the goroutine first runs, it waits on a
// nil channel forever. BenchmarkPublish stores hundreds of claims and hits
// it every run; the tests store a few and hit it rarely, which is no
// reason for a red build. Every other goroutine must end.
func leakOptions() []goleak.Option {
	return []goleak.Option{goleak.IgnoreTopFunction(natsPutLeak)}
}

// natsPutLeak is the top function of the goroutine nats.go leaks in
// ObjectStore.Put (see leakOptions).
const natsPutLeak = "github.com/nats-io/nats.go/jetstream.(*jetStream).resetPendingAcksOnReconnect"
