package bus_test

import (
	"flag"
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

// leakOptions tolerates, only when benchmarks ran, a goroutine nats.go
// v1.55.0 leaks now and then in ObjectStore.Put: the put's own JetStream
// context starts resetPendingAcksOnReconnect and removes its status
// channel when the put ends; when that happens before the goroutine first
// runs, it waits on a nil channel forever. BenchmarkPublish stores
// hundreds of claims and hits it; the tests store a few and stay strict.
func leakOptions() []goleak.Option {
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		return nil
	}
	return []goleak.Option{goleak.IgnoreTopFunction("github.com/nats-io/nats.go/jetstream.(*jetStream).resetPendingAcksOnReconnect")}
}
