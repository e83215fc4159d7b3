package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// A malformed message loses nothing and stops nothing: it lands in the
// dead-letter stream with the reason, `conflux status` and `conflux dlq`
// show it, a redrive sends it through again, and crawls go on.
func TestMalformedMessageIsDeadLetteredAndShown(t *testing.T) {
	h := start(t, confluencesim.Generate(51, confluencesim.Size{Spaces: 1, PagesPerSpace: 5}), confluencesim.Options{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	msg := nats.NewMsg(h.app.Sub.Content("98304", "123"))
	msg.Header.Set(proto.HeaderSchema, proto.SchemaContentFetched.String())
	msg.Data = []byte{0xc1, 0xff, 0x00} // not msgpack
	if _, err := h.app.JS.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
	list := func() string {
		var out bytes.Buffer
		if err := h.app.ListDeadLetters(ctx, &out, 10); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	waitUntil(t, "the dead letter", func() bool { return strings.Contains(list(), msg.Subject) })
	if l := list(); !strings.Contains(l, "permissions") || !strings.Contains(strings.ToLower(l), "malformed") {
		t.Errorf("the dead letter does not say which stage and why:\n%s", l)
	}
	var status bytes.Buffer
	if _, err := h.app.PrintStatus(ctx, &status, app.StatusSnapshot{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status.String(), "dead letters: 1") {
		t.Errorf("status:\n%s", status.String())
	}
	n, err := h.app.RedriveDeadLetters(ctx, proto.StagePermissions)
	if err != nil || n != 1 {
		t.Fatalf("redrive: %d, %v", n, err)
	}
	waitUntil(t, "the redriven message to fail again", func() bool { return strings.Count(list(), "\n#") == 1 })
	requireOK(t, h.crawl(proto.CrawlFull, false))
	checkSink(t, h, h.sim.Tenant())
}

// waitUntil polls cond until it holds, failing the test after three
// minutes: TestSchedulerRunsEveryKindOfCrawl waits for three crawls and
// their audits, which took over a minute under make test on a loaded
// two-core machine (every package at once, -race).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
