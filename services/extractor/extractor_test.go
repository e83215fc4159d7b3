package extractor

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
)

const site = "https://acme.atlassian.net"

type env struct {
	t     *testing.T
	js    jetstream.JetStream
	pub   *bus.Publisher
	sub   proto.Subjects
	blobs jetstream.ObjectStore
	svc   *Service
}

func newEnv(t *testing.T, edit func(*config.Extract)) *env {
	t.Helper()
	srv := natstest.Start(t)
	nc, js := natstest.Connect(t, srv)
	ctx := testContext(t)
	if err := bus.EnsureTopology(ctx, js, site, proto.Options{}); err != nil {
		t.Fatal(err)
	}
	blobs, err := js.ObjectStore(ctx, proto.ObjectBlobs)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Site = site
	if edit != nil {
		edit(&cfg.Content.Attachments.Extract)
	}
	svc, err := New(context.Background(), Deps{NC: nc, JS: js, Config: cfg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	run, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(run) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return &env{t: t, js: js, pub: bus.NewPublisher(js), sub: proto.For(site), blobs: blobs, svc: svc}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// store puts bytes in the object store as the downloader does and
// publishes its AttachmentStored.
func (e *env) store(id, name string, data []byte) {
	e.t.Helper()
	m := &proto.AttachmentStored{Attachment: proto.AttachmentFound{CrawlID: "c1", SpaceID: "98", SpaceKey: "ENG", ID: id,
		FileName: name, Title: name, Version: 1, Size: int64(len(data)), ContainerID: "10", ContainerType: "page"}}
	if data != nil {
		info, err := e.blobs.Put(testContext(e.t), jetstream.ObjectMeta{Name: "acme/" + id + "/v1"}, bytes.NewReader(data))
		if err != nil {
			e.t.Fatal(err)
		}
		m.Blob = &proto.BlobRef{Bucket: info.Bucket, Name: info.Name, Size: int64(info.Size), Digest: info.Digest}
	} else {
		m.Skipped = "larger than max_size 100MB (200000000 bytes)"
	}
	if err := e.pub.Publish(testContext(e.t), e.sub.AttachmentStored("98", id), m, proto.MsgID("stored", id, 1, "c1")); err != nil {
		e.t.Fatal(err)
	}
}

// extracted waits for the extractor's message of an attachment.
func (e *env) extracted(id string) (*proto.AttachmentStored, jetstream.RawStreamMsg) {
	e.t.Helper()
	ctx := testContext(e.t)
	stream, err := e.js.Stream(ctx, proto.StreamExtracted)
	if err != nil {
		e.t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		raw, err := stream.GetLastMsgForSubject(ctx, e.sub.AttachmentExtracted("98", id))
		if err == nil {
			data := raw.Data
			if name := raw.Header.Get(bus.HeaderClaim); name != "" {
				claims, err := e.js.ObjectStore(ctx, proto.ObjectClaims)
				if err != nil {
					e.t.Fatal(err)
				}
				if data, err = claims.GetBytes(ctx, name); err != nil {
					e.t.Fatal(err)
				}
			}
			var m proto.AttachmentStored
			if err := bus.Decode(data, &m); err != nil {
				e.t.Fatal(err)
			}
			return &m, *raw
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("no extracted message for %s", id)
	return nil, jetstream.RawStreamMsg{}
}

func TestExtractedMessages(t *testing.T) {
	e := newEnv(t, func(x *config.Extract) { x.MaxFileSize = 64 << 10 })
	samples := confluencesim.SampleFiles("the stage test")
	for i, f := range samples {
		e.store("att"+string(rune('a'+i)), f.Name, f.Data)
	}
	for i, f := range samples {
		got, _ := e.extracted("att" + string(rune('a'+i)))
		if got.Extraction != proto.ExtractionOK || !strings.Contains(got.Text, f.Text) {
			t.Errorf("%s: extraction %q, text %q", f.Name, got.Extraction, got.Text)
		}
		if got.Blob == nil || got.Attachment.FileName != f.Name {
			t.Errorf("%s: the downloader's fields were not kept: %+v", f.Name, got)
		}
	}
	for _, tc := range []struct {
		id, name string
		data     []byte
		want     string
	}{
		{"attbig", "big.txt", bytes.Repeat([]byte("x"), 64<<10+1), "skipped: larger than content.attachments.extract.max_file_size 64KiB (65537 bytes)"},
		{"attmeta", "huge.pdf", nil, "skipped: larger than max_size 100MB (200000000 bytes)"},
		{"attbad", "broken.docx", []byte("not a zip at all"), "failed: docx: not a valid zip archive: zip: not a valid zip file"},
		{"attpng", "photo.png", []byte("\x89PNG\r\n"), proto.ExtractionUnsupported},
	} {
		e.store(tc.id, tc.name, tc.data)
		if got, _ := e.extracted(tc.id); got.Extraction != tc.want || got.Text != "" {
			t.Errorf("%s: extraction %q, text %d bytes; want %q", tc.name, got.Extraction, len(got.Text), tc.want)
		}
	}
	st := e.svc.Stats()
	if st.Extracted != int64(len(samples)) || st.Skipped != 2 || st.Failed != 1 || st.Unsupported != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestLargeTextTravelsByClaimCheck: a text over the claim-check
// threshold (256 KiB) is not refused by the server's max payload.
func TestLargeTextTravelsByClaimCheck(t *testing.T) {
	e := newEnv(t, func(x *config.Extract) { x.MaxText = 600 << 10 })
	line := "a line of a long csv export, with, several, fields\n"
	data := []byte(strings.Repeat(line, (1<<20)/len(line)))
	e.store("attlong", "export.csv", data)
	got, raw := e.extracted("attlong")
	if raw.Header.Get(bus.HeaderClaim) == "" {
		t.Error("a message of more than 600 KiB was sent without a claim check")
	}
	if got.Extraction != proto.ExtractionTruncated || len(got.Text) < 590<<10 || len(got.Text) > 600<<10 {
		t.Errorf("extraction %q, %d bytes of text", got.Extraction, len(got.Text))
	}
}
