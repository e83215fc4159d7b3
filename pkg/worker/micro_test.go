package worker_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// TestMicroStatsCarryConsumerCounts: a fetcher registered as the micro
// service conflux-fetcher answers $SRV.STATS.conflux-fetcher (what `nats
// micro stats` sends) with its consumer's pending and redelivered counts,
// and its "status" endpoint with the same; $SRV.PING finds it; the service
// is gone once its context ends.
func TestMicroStatsCarryConsumerCounts(t *testing.T) {
	srv := natstest.Start(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if err := bus.EnsureTopology(ctx, js, site, proto.Options{}); err != nil {
		t.Fatal(err)
	}
	sub := proto.For(site)
	publish := func(spaces ...string) {
		for _, space := range spaces {
			if _, err := js.Publish(ctx, sub.Space(space), []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// One message delivered twice and not acknowledged: redelivered 1. It
	// is alone in the stream then, so that the second fetch cannot get
	// another one first.
	publish("S1")
	durable := proto.Durable(proto.StageFetcher, "spaces", site)
	cons, err := js.Consumer(ctx, proto.StreamSpaces, durable)
	if err != nil {
		t.Fatal(err)
	}
	first := fetchOne(t, cons)
	if err := first.Nak(); err != nil {
		t.Fatal(err)
	}
	again := fetchOne(t, cons)
	if md, _ := again.Metadata(); md == nil || md.NumDelivered != 2 {
		t.Fatalf("want the nak'ed message again, got %+v", md)
	}
	publish("S2", "S3", "S4")

	cfg := config.Default()
	cfg.Site = site
	svcCtx, stop := context.WithCancel(ctx)
	worker.ServeMicro(svcCtx, nc, js, cfg, []string{proto.StageFetcher, proto.StageTokenBroker}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	client, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	reply, err := client.Request("$SRV.STATS.conflux-fetcher", nil, 5*time.Second)
	if err != nil {
		t.Fatalf("$SRV.STATS.conflux-fetcher: %v", err)
	}
	var stats micro.Stats
	if err := json.Unmarshal(reply.Data, &stats); err != nil {
		t.Fatalf("stats %s: %v", reply.Data, err)
	}
	if stats.Name != "conflux-fetcher" || len(stats.Endpoints) != 1 {
		t.Fatalf("stats: %s", reply.Data)
	}
	var st worker.StageStatus
	if err := json.Unmarshal(stats.Endpoints[0].Data, &st); err != nil {
		t.Fatalf("stats data %s: %v", stats.Endpoints[0].Data, err)
	}
	// 4 published, 1 delivered twice, none acked.
	if st.Stage != proto.StageFetcher || st.Pending != 3 || st.Redelivered != 1 || len(st.Consumers) != 1 ||
		st.Consumers[0].Consumer != durable || st.Consumers[0].AckPending != 1 {
		t.Errorf("stats data: %s", stats.Endpoints[0].Data)
	}

	reply, err = client.Request(worker.StatusSubject(site, proto.StageFetcher), nil, 5*time.Second)
	if err != nil {
		t.Fatalf("status endpoint: %v", err)
	}
	var direct worker.StageStatus
	if err := json.Unmarshal(reply.Data, &direct); err != nil || direct.Pending != st.Pending || direct.Redelivered != st.Redelivered {
		t.Errorf("status endpoint answered %s (%v), stats said pending %d redelivered %d", reply.Data, err, st.Pending, st.Redelivered)
	}

	// The token broker is a micro service of its own: no second one.
	if _, err := client.Request("$SRV.PING.conflux-tokenbroker", nil, 300*time.Millisecond); err == nil {
		t.Error("ServeMicro registered a conflux-tokenbroker service")
	}
	stop()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := client.Request("$SRV.PING.conflux-fetcher", nil, 300*time.Millisecond)
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("conflux-fetcher still answers PING after its context ended")
		}
	}
}

func fetchOne(t *testing.T, c jetstream.Consumer) jetstream.Msg {
	t.Helper()
	b, err := c.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for m := range b.Messages() {
		return m
	}
	t.Fatalf("no message: %v", b.Error())
	return nil
}
