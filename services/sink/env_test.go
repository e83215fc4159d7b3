package sink

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

const testSite = "https://acme.atlassian.net"

// waitFor is how long a test waits for the pipeline to reach a state; it
// is generous because the test machine is shared.
const waitFor = 60 * time.Second

type env struct {
	t       *testing.T
	js      jetstream.JetStream
	deps    Deps
	pub     *bus.Publisher
	tracker *progress.Tracker
	sink    *filesink.Sink
	dir     string
	sub     proto.Subjects
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := natstest.Start(t)
	nc, js := natstest.Connect(t, srv)
	ctx := testContext(t)
	if err := bus.EnsureTopology(ctx, js, testSite, proto.Options{}); err != nil {
		t.Fatal(err)
	}
	tr, err := progress.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fs, err := filesink.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fs.Close() })
	cfg := config.Default()
	cfg.Site = testSite
	cfg.Sink.Dir = dir
	return &env{t: t, js: js, pub: bus.NewPublisher(js), tracker: tr, sink: fs, dir: dir, sub: proto.For(testSite),
		deps: Deps{Deps: worker.Deps{NC: nc, JS: js, Config: cfg, Logger: testLogger(t)}, Sink: Files(fs)}}
}

func testContext(t *testing.T) context.Context { return natstest.Context(t, 2*waitFor) }

// testLogger writes warnings and errors to the test log.
func testLogger(t *testing.T) *slog.Logger { return natstest.Logger(t, slog.LevelWarn) }

// start runs a sink service until the test ends.
func (e *env) start() *Service {
	e.t.Helper()
	svc, err := New(e.deps)
	if err != nil {
		e.t.Fatal(err)
	}
	svc.SweepEvery = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("sink run: %v", err)
			}
		case <-time.After(waitFor):
			e.t.Error("sink did not stop")
		}
	})
	return svc
}

func (e *env) publish(subject string, m proto.Message, msgID string) {
	e.t.Helper()
	if err := e.pub.Publish(testContext(e.t), subject, m, msgID); err != nil {
		e.t.Fatal(err)
	}
}

// ready publishes a document as the permission resolver does.
func (e *env) ready(r *proto.DocumentReady) {
	e.t.Helper()
	d := r.Document
	e.publish(e.sub.Document(d.SpaceID, d.ID), r, proto.MsgID("doc", d.ID, d.Version, d.CrawlID)+fmt.Sprint(r.ACLOnly))
}

func page(crawl, space, id string, version int) *proto.DocumentReady {
	return &proto.DocumentReady{Document: proto.Document{
		ID: id, Type: proto.TypePage, Site: "acme.atlassian.net", SpaceKey: "K" + space, SpaceID: space,
		Title: "Page " + id, URL: testSite + "/wiki/spaces/K" + space + "/pages/" + id, Version: version,
		Body: "<p>Text of page " + id + "</p>", CrawlID: crawl,
		ACL: proto.ACL{Users: []string{"a@x.com"}, AccountIDs: []string{"acc-a"}},
	}}
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *env) outcome(crawl, space, id string) (proto.Outcome, bool) {
	seen, err := e.tracker.SeenItems(testContext(e.t), crawl, space)
	if err != nil {
		e.t.Fatal(err)
	}
	o, ok := seen[proto.Token(id)]
	return o, ok
}

func (e *env) waitWritten(crawl, space string, ids ...string) {
	e.t.Helper()
	for _, id := range ids {
		eventually(e.t, "outcome of "+id, func() bool {
			o, ok := e.outcome(crawl, space, id)
			return ok && o.State == proto.OutcomeWritten
		})
	}
}

func (e *env) hasDoc(id string) bool {
	_, ok, err := e.sink.Get(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return ok
}

func (e *env) file(rel string) []byte {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, filepath.FromSlash(rel)))
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) putBlob(name string, data []byte) *proto.BlobRef {
	e.t.Helper()
	ctx := testContext(e.t)
	obs, err := e.js.ObjectStore(ctx, proto.ObjectBlobs)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := obs.Put(ctx, jetstream.ObjectMeta{Name: name}, bytes.NewReader(data))
	if err != nil {
		e.t.Fatal(err)
	}
	return &proto.BlobRef{Bucket: info.Bucket, Name: info.Name, Size: int64(info.Size), Digest: info.Digest}
}
