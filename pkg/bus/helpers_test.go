package bus_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
)

const site = "https://acme.atlassian.net"

// testCtx is a generous deadline for one test on a loaded machine.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// setup starts a server and creates the topology of site.
func setup(t *testing.T) jetstream.JetStream {
	t.Helper()
	s := natstest.Start(t)
	_, js := natstest.Connect(t, s)
	if err := bus.EnsureTopology(testCtx(t), js, site, proto.Options{}); err != nil {
		t.Fatal(err)
	}
	return js
}

func content(id string) *proto.ContentFetched {
	return &proto.ContentFetched{
		CrawlID: "c1", Kind: proto.CrawlFull, SpaceID: "98304", SpaceKey: "ENG",
		ID: id, Type: proto.TypePage, Status: "current", Title: "Runbook " + id,
		Version: 3, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		UpdatedAt: time.Date(2026, 2, 3, 4, 5, 6, 7000000, time.UTC),
		Body:      "<p>hello</p>",
	}
}

// next fetches one message from a fresh ephemeral consumer on stream.
func next(t *testing.T, js jetstream.JetStream, stream string, cfg jetstream.ConsumerConfig) jetstream.Msg {
	t.Helper()
	ctx := testCtx(t)
	cons, err := js.CreateConsumer(ctx, stream, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := cons.Next(jetstream.FetchMaxWait(30 * time.Second))
	if err != nil {
		t.Fatalf("next from %s: %v", stream, err)
	}
	return m
}

func streamMsgs(t *testing.T, js jetstream.JetStream, stream string) uint64 {
	t.Helper()
	st, err := js.Stream(testCtx(t), stream)
	if err != nil {
		t.Fatal(err)
	}
	return st.CachedInfo().State.Msgs
}

func jetStream(t *testing.T, nc *nats.Conn) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}
