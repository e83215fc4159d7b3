package bus_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
)

// benchPage is a typical fetched page: three ancestors, labels and a
// storage-format body of about bodyBytes bytes.
func benchPage(bodyBytes int) *proto.ContentFetched {
	para := "<p>Restart the <strong>ingest</strong> workers one at a time; see <ac:link><ri:page ri:content-title=\"Runbook\" /></ac:link>.</p>\n"
	body := strings.Repeat(para, bodyBytes/len(para)+1)[:bodyBytes]
	return &proto.ContentFetched{
		CrawlID: "c1", Kind: proto.CrawlFull, SpaceID: "98304", SpaceKey: "ENG",
		ID: "1234567", Type: proto.TypePage, Status: "current", Title: "Ingest runbook",
		WebUI: "/spaces/ENG/pages/1234567/Ingest+runbook", ParentID: "1234500", ParentType: "page",
		Ancestors: []proto.Ancestor{{ID: "1234400", Type: "page"}, {ID: "1234450", Type: "folder"}, {ID: "1234500", Type: "page"}},
		Labels:    []string{"runbook", "ingest"}, Version: 1, AuthorID: "557058:0f1e2d3c",
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC),
		Body: body,
	}
}

// BenchmarkPublish measures one synchronous Publish (encode, headers,
// publish, wait for the stream's ack) of a page with a 4 KiB body, and of
// one over the claim-check threshold (256 KiB), whose payload goes to the
// object store first. Every publish is a new version, so neither the
// de-duplication window nor an already stored claim short-cuts it. The
// embedded server runs in the benchmark's process: B/op and allocs/op
// count its allocations too.
func BenchmarkPublish(b *testing.B) {
	cases := []struct {
		name      string
		bodyBytes int
		claim     bool
	}{
		{"body=4KiB", 4 << 10, false},
		{"body=320KiB_claim", 320 << 10, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			js := benchTopology(b, ctx)
			pub := bus.NewPublisher(js)
			m := benchPage(c.bodyBytes)
			subject := proto.For(site).Content(m.SpaceID, m.ID)
			b.SetBytes(int64(c.bodyBytes))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n++
				m.Version = n // a new payload: a new message id and a new claim
				if err := pub.Publish(ctx, subject, m, proto.MsgID("content", m.ID, n, m.CrawlID)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			checkPublished(b, ctx, js, subject, n, c.claim)
		})
	}
}

// benchTopology starts a server with the topology of site.
func benchTopology(b *testing.B, ctx context.Context) jetstream.JetStream {
	b.Helper()
	s := natstest.Start(b)
	_, js := natstest.Connect(b, s)
	if err := bus.EnsureTopology(ctx, js, site, proto.Options{}); err != nil {
		b.Fatal(err)
	}
	return js
}

// checkPublished fails b unless the stream stored n messages and the last
// one travelled by claim check exactly when claim is set.
func checkPublished(b *testing.B, ctx context.Context, js jetstream.JetStream, subject string, n int, claim bool) {
	b.Helper()
	st, err := js.Stream(ctx, proto.StreamContent)
	if err != nil {
		b.Fatal(err)
	}
	if got := st.CachedInfo().State.Msgs; got != uint64(n) {
		b.Fatalf("stream holds %d messages, want %d", got, n)
	}
	last, err := st.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		b.Fatal(err)
	}
	if got := last.Header.Get(bus.HeaderClaim) != ""; got != claim {
		b.Fatalf("claim check used: %v, want %v", got, claim)
	}
}
