package bus_test

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// Connect, create the topology and publish one message idempotently.
func ExamplePublisher_Publish() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	site := "https://acme.atlassian.net"
	nc, err := bus.Connect(ctx, bus.ConnectOptions{URL: "nats://127.0.0.1:4222", Name: "fetcher"})
	if err != nil {
		panic(err)
	}
	defer nc.Drain()
	js, _ := jetstream.New(nc)
	if err := bus.EnsureTopology(ctx, js, site, proto.Options{Replicas: 1}); err != nil {
		panic(err)
	}
	page := &proto.ContentFetched{CrawlID: "c1", SpaceID: "98304", ID: "123456", Version: 7, Body: "<p>…</p>"}
	subject := proto.For(site).Content(page.SpaceID, page.ID)
	msgID := proto.MsgID("content", page.ID, page.Version, page.CrawlID)
	if err := bus.NewPublisher(js).Publish(ctx, subject, page, msgID); err != nil {
		panic(err)
	}
}

// Re-drive a stage from a point in time: every replica of the stage
// receives again what was published since.
func ExampleRewind() {
	var js jetstream.JetStream
	ctx := context.Background()
	site := "https://acme.atlassian.net"
	durable := proto.Durable(proto.StageSink, "docs", site)
	from, err := bus.Rewind(ctx, js, proto.StreamDocuments, durable, bus.StartAt{Time: time.Now().Add(-time.Hour)})
	if err != nil {
		panic(err)
	}
	_ = from // the stream sequence delivery restarts from
}
