package bus_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
)

// An R3 topology keeps accepting and delivering messages while the node
// that led the stream is down.
func TestReplicatedStreamSurvivesNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test")
	}
	start := time.Now()
	servers := natstest.StartCluster(t, 3)
	t.Logf("cluster ready in %s", time.Since(start).Round(time.Millisecond))
	ctx := testCtx(t)
	nc, err := bus.Connect(ctx, bus.ConnectOptions{URL: natstest.ClusterURL(servers), Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js := jetStream(t, nc)
	if err := bus.EnsureTopology(ctx, js, site, proto.Options{Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	t.Logf("R3 topology ready in %s", time.Since(start).Round(time.Millisecond))
	pub := bus.NewPublisher(js)
	publish := func(id string) {
		t.Helper()
		retry(t, "publish "+id, func(ctx context.Context) error {
			return pub.Publish(ctx, proto.For(site).Content("s", id), content(id), "content:"+id)
		})
	}
	for _, id := range []string{"1", "2", "3"} {
		publish(id)
	}

	var leader string
	retry(t, "stream info", func(ctx context.Context) error {
		st, err := js.Stream(ctx, proto.StreamContent)
		if err == nil {
			info := st.CachedInfo()
			if info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
				t.Fatalf("stream is not R3: %+v", info.Cluster)
			}
			leader = info.Cluster.Leader
		}
		return err
	})
	for _, s := range servers {
		if s.Name() == leader {
			natstest.Shutdown(s)
		}
	}
	t.Logf("stopped the stream leader %s at %s", leader, time.Since(start).Round(time.Millisecond))

	for _, id := range []string{"4", "5", "6"} {
		publish(id)
	}
	durable := proto.Durable(proto.StagePermissions, "content", site)
	var seen []string
	retry(t, "consume", func(ctx context.Context) error {
		cons, err := js.Consumer(ctx, proto.StreamContent, durable)
		if err != nil {
			return err
		}
		for len(seen) < 6 {
			m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
			if err != nil {
				return err
			}
			got, err := bus.DecodeMsg(ctx, js, m)
			if err != nil {
				return err
			}
			if err := m.DoubleAck(ctx); err != nil {
				return err
			}
			seen = append(seen, got.(*proto.ContentFetched).ID)
		}
		return nil
	})
	t.Logf("all consumed at %s", time.Since(start).Round(time.Millisecond))
	if len(seen) != 6 {
		t.Fatalf("consumed %v, want 6 messages", seen)
	}
}

// retry calls fn with a short deadline per attempt until it succeeds or a
// minute has passed: while a leader is elected, requests time out.
func retry(t *testing.T, what string, fn func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := fn(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
