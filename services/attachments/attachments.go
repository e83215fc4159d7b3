// Package attachments is the attachment downloader: for every
// proto.AttachmentFound it streams the file from Confluence into the
// object store proto.ObjectBlobs, named "<site token>/<attachment
// id>/v<version>", and publishes proto.AttachmentStored with the blob's
// reference for the permission resolver.
//
//   - A version already in the object store is not downloaded again, if
//     it is complete: a version counts as stored only once the object
//     store's size and digest, read back after the put, match what was
//     streamed and every chunk is there (verify.go); the stage then marks
//     it. An unmarked or incomplete object (a put cut short by a full
//     disk) is deleted and downloaded again.
//   - A file larger than content.attachments.max_size (declared, or found
//     while streaming, since the declared size can be wrong) is kept as
//     metadata only: AttachmentStored carries no blob and says why in
//     Skipped, which the sink records as the written outcome's reason.
//   - An attachment that vanished (404) is recorded as dropped and acked.
//
// The bytes are never held in memory: the HTTP body is copied chunk by
// chunk (128 KiB) into the object store, and the stage runner extends the
// message's ack deadline while the copy runs.
package attachments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// Deps are what the stage needs. Client is required; Logger defaults to
// slog.Default().
type Deps = worker.Deps

// Downloader is the one Confluence call the stage makes.
type Downloader interface {
	DownloadAttachment(ctx context.Context, containerID, attachmentID string, version int) (io.ReadCloser, error)
}

// setupTimeout bounds binding the object store and the progress bucket.
const setupTimeout = 30 * time.Second

// Service is the attachment downloader.
type Service struct {
	log     *slog.Logger
	site    string
	sub     proto.Subjects
	maxSize int64
	dl      Downloader
	// small and large are the object stores of files below and from
	// proto.LargeBlob bytes (declared).
	small, large blobStore
	pub          *bus.Publisher
	tracker      *progress.Tracker
	runner       *stage.Runner
	stats        counters
}

// blobStore is an object store with its stream (to count an object's
// chunks).
type blobStore struct {
	bucket string
	obs    jetstream.ObjectStore
	stream jetstream.Stream
}

func (b *blobStore) bind(ctx context.Context, js jetstream.JetStream, bucket string) (err error) {
	b.bucket = bucket
	if b.obs, err = js.ObjectStore(ctx, bucket); err != nil {
		return fmt.Errorf("open object store %s: %w", bucket, err)
	}
	if b.stream, err = js.Stream(ctx, bus.ObjectStream(bucket)); err != nil {
		return fmt.Errorf("open stream of object store %s: %w", bucket, err)
	}
	return nil
}

// storeFor is the object store of a file of the declared size.
func (s *Service) storeFor(size int64) *blobStore {
	if size >= proto.LargeBlob {
		return &s.large
	}
	return &s.small
}

// Stage is the attachment downloader as conflux runs it.
var Stage = worker.Stage{Name: proto.StageAttachments, New: worker.Of(New)}

// New builds the stage; the topology must exist (bus.EnsureTopology).
func New(ctx context.Context, d Deps) (*Service, error) {
	if d.Client == nil {
		return nil, errors.New("attachments: a Confluence client is required")
	}
	return newService(ctx, d, d.Client)
}

func newService(ctx context.Context, d Deps, dl Downloader) (*Service, error) {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	s := &Service{log: d.Log().With("stage", proto.StageAttachments), site: d.Config.Site, sub: proto.For(d.Config.Site),
		maxSize: int64(d.Config.Content.Attachments.MaxSize), dl: dl, pub: bus.NewPublisher(d.JS)}
	if err := s.bind(ctx, d.JS); err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	var err error
	s.runner, err = d.Runner(proto.StageAttachments, "attachments", stage.Typed(s.handle),
		stage.WithOnDeadLetter(s.tracker.OnDeadLetter(d.Log())))
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	return s, nil
}

// bind opens the object store, its stream and the progress bucket.
func (s *Service) bind(ctx context.Context, js jetstream.JetStream) (err error) {
	if err = s.small.bind(ctx, js, proto.ObjectBlobs); err != nil {
		return err
	}
	if err = s.large.bind(ctx, js, proto.ObjectBlobsLarge); err != nil {
		return err
	}
	s.tracker, err = progress.Open(ctx, js)
	return err
}

// Run downloads attachments until ctx is done, then finishes the
// downloads in flight and returns.
func (s *Service) Run(ctx context.Context) error { return s.runner.Run(ctx) }

// Stats counts what the stage did since it started.
type Stats struct {
	// Downloaded is the number of files streamed into the object store.
	Downloaded int64
	// Reused is the number of versions found already stored.
	Reused int64
	// TooLarge is the number of files kept as metadata only because they
	// exceed max_size (declared or found while streaming).
	TooLarge int64
	// Vanished is the number of attachments Confluence no longer had (404).
	Vanished int64
	// Bytes is the number of bytes streamed into the object store.
	Bytes int64
	// Discarded is the number of stored versions found incomplete or
	// unverified (a put cut short by a full store) and downloaded again.
	Discarded int64
}

type counters struct{ downloaded, reused, tooLarge, vanished, bytes, discarded atomic.Int64 }

// Stats returns the stage's counts.
func (s *Service) Stats() Stats {
	c := &s.stats
	return Stats{Downloaded: c.downloaded.Load(), Reused: c.reused.Load(), TooLarge: c.tooLarge.Load(),
		Vanished: c.vanished.Load(), Bytes: c.bytes.Load(), Discarded: c.discarded.Load()}
}

// ObjectName is the object store name of an attachment version:
// "<site token>/<attachment id>/v<version>".
func ObjectName(site, attachmentID string, version int) string {
	return fmt.Sprintf("%s/%s/v%d", proto.SiteToken(site), attachmentID, version)
}
