package attachments

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
)

// waitFor bounds every wait for the pipeline; generous for a shared
// machine.
const waitFor = 90 * time.Second

type env struct {
	t       *testing.T
	sim     *confluencesim.Server
	tenant  *confluencesim.Tenant
	page    *confluencesim.Content
	js      jetstream.JetStream
	deps    Deps
	pub     *bus.Publisher
	tracker *progress.Tracker
	sub     proto.Subjects
	blobs   jetstream.ObjectStore
}

// newEnv starts NATS with the topology and the simulator serving the demo
// tenant plus one attachment per given size on a page of the ENG space.
func newEnv(t *testing.T, topo proto.Options, sizes ...int64) *env {
	t.Helper()
	tenant := confluencesim.Demo()
	var page *confluencesim.Content
	var space *confluencesim.Space
	for _, s := range tenant.Spaces {
		if s.Key == "ENG" {
			space = s
		}
	}
	for _, c := range tenant.Content {
		if c.Type == "page" && c.Status == "current" && c.SpaceID == space.ID {
			page = c
			break
		}
	}
	for i, size := range sizes {
		tenant.Attachments = append(tenant.Attachments, &confluencesim.Attachment{
			ID: fmt.Sprintf("att77%04d", i), ContainerID: page.ID, Title: fmt.Sprintf("file-%d.bin", i),
			MediaType: "application/octet-stream", FileID: fmt.Sprintf("0000000-test-file-%04d", i), Status: "current",
			Size: size, Seed: int64(1000 + i), Version: 1, CreatedAt: page.CreatedAt, UpdatedAt: page.CreatedAt,
			AuthorID: page.AuthorID,
		})
	}
	sim, err := confluencesim.Start(tenant, confluencesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	client, err := confluence.New(confluence.Options{
		Credentials: confluence.BasicAuth(sim.URL(), "demo@example.com", "demo-token"),
		Logger:      slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := natstest.Start(t)
	nc, js := natstest.Connect(t, srv)
	ctx := testContext(t)
	if err := bus.EnsureTopology(ctx, js, sim.URL(), topo); err != nil {
		t.Fatal(err)
	}
	tr, err := progress.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := js.ObjectStore(ctx, proto.ObjectBlobs)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Site = sim.URL()
	return &env{t: t, sim: sim, tenant: tenant, page: page, js: js, pub: bus.NewPublisher(js), tracker: tr,
		sub: proto.For(sim.URL()), blobs: blobs,
		deps: Deps{NC: nc, JS: js, Config: cfg, Client: client, Logger: testLogger(t)}}
}

func testContext(t *testing.T) context.Context { return natstest.Context(t, 2*waitFor) }

// testLogger writes warnings and errors to the test log.
func testLogger(t *testing.T) *slog.Logger { return natstest.Logger(t, slog.LevelWarn) }

// start runs a service with the given max_size (and downloader, when not
// nil) until the test ends.
func (e *env) start(maxSize int64, dl Downloader) *Service {
	e.t.Helper()
	d := e.deps
	d.Config.Content.Attachments.MaxSize = config.ByteSize(maxSize)
	if dl == nil {
		dl = d.Client
	}
	svc, err := newService(context.Background(), d, dl)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("attachments run: %v", err)
			}
		case <-time.After(waitFor):
			e.t.Error("attachments did not stop")
		}
	})
	return svc
}

// attachment returns the tenant's attachment with an id.
func (e *env) attachment(id string) *confluencesim.Attachment {
	for _, a := range e.tenant.Attachments {
		if a.ID == id {
			return a
		}
	}
	e.t.Fatalf("no attachment %s", id)
	return nil
}

// found is the fetcher's message for a tenant attachment.
func (e *env) found(crawl string, a *confluencesim.Attachment) *proto.AttachmentFound {
	return &proto.AttachmentFound{CrawlID: crawl, Kind: proto.CrawlFull, SpaceID: e.page.SpaceID, SpaceKey: "ENG",
		ID: a.ID, Title: a.Title, FileName: a.Title, MediaType: a.MediaType, Size: a.Size, Version: a.Version,
		ContainerID: a.ContainerID, ContainerType: "page"}
}

func (e *env) send(f *proto.AttachmentFound) {
	e.t.Helper()
	err := e.pub.Publish(testContext(e.t), e.sub.Attachment(f.SpaceID, f.ID), f, proto.MsgID("att", f.ID, f.Version, f.CrawlID))
	if err != nil {
		e.t.Fatal(err)
	}
}

// stored waits for the AttachmentStored of an attachment in a crawl.
func (e *env) stored(crawl, space, id string) *proto.AttachmentStored {
	e.t.Helper()
	ctx := testContext(e.t)
	stream, err := e.js.Stream(ctx, proto.StreamStored)
	if err != nil {
		e.t.Fatal(err)
	}
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		msg, err := stream.GetLastMsgForSubject(ctx, e.sub.AttachmentStored(space, id))
		if err == nil {
			var s proto.AttachmentStored
			if err := bus.Decode(msg.Data, &s); err != nil {
				e.t.Fatal(err)
			}
			if s.Attachment.CrawlID == crawl {
				return &s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("no AttachmentStored for %s in crawl %s", id, crawl)
	return nil
}

// digest is the object store's digest of an attachment's bytes.
func (e *env) digest(a *confluencesim.Attachment) string {
	h := sha256.New()
	if _, err := io.Copy(h, e.tenant.Bytes(a)); err != nil {
		e.t.Fatal(err)
	}
	return jetstream.GetObjectDigestValue(h)
}

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
