package attachments

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
)

// vanishedReason is the dropped outcome's reason for a 404.
const vanishedReason = "attachment vanished: Confluence answered 404 on download"

func (s *Service) handle(ctx context.Context, m *stage.Msg, a *proto.AttachmentFound) error {
	log := m.Log.With("attachment_id", a.ID, "version", a.Version)
	out, err := s.store(ctx, a)
	if errors.Is(err, confluence.ErrNotFound) {
		s.stats.vanished.Add(1)
		log.Info("attachment vanished; dropped", "err", err)
		return s.tracker.RecordTracked(ctx, a, proto.StageAttachments, proto.OutcomeDropped, vanishedReason)
	}
	if err != nil {
		return worker.Classify(fmt.Errorf("store attachment %s v%d: %w", a.ID, a.Version, err))
	}
	if out.Skipped != "" {
		log.Info("attachment kept as metadata only", "reason", out.Skipped)
	}
	subject := s.sub.AttachmentStored(a.SpaceID, a.ID)
	if err := s.pub.Publish(ctx, subject, out, proto.MsgID("stored", a.ID, a.Version, a.CrawlID)); err != nil {
		return fmt.Errorf("publish stored attachment %s: %w", a.ID, err)
	}
	return nil
}

// store puts the attachment's bytes in the object store unless they are
// there already or too large, and says where they are.
func (s *Service) store(ctx context.Context, a *proto.AttachmentFound) (*proto.AttachmentStored, error) {
	out := &proto.AttachmentStored{Attachment: *a}
	if s.maxSize > 0 && a.Size > s.maxSize {
		s.stats.tooLarge.Add(1)
		out.Skipped = fmt.Sprintf("larger than max_size %s (%d bytes)", config.ByteSize(s.maxSize), a.Size)
		return out, nil
	}
	name := ObjectName(s.site, a.ID, a.Version)
	st := s.storeFor(a.Size)
	if info, err := s.reusable(ctx, st, name); err != nil || info != nil {
		if info != nil {
			s.stats.reused.Add(1)
			out.Blob = blobRef(info)
		}
		return out, err
	}
	info, err := s.download(ctx, st, a, name)
	if errors.Is(err, errTooLarge) {
		s.stats.tooLarge.Add(1)
		out.Skipped = fmt.Sprintf("larger than max_size %s (found while downloading; %d bytes declared)",
			config.ByteSize(s.maxSize), a.Size)
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	s.stats.downloaded.Add(1)
	s.stats.bytes.Add(int64(info.Size))
	out.Blob = blobRef(info)
	return out, nil
}

// reusable returns the stored object of a version when it can be trusted
// (verified when it was stored, every chunk still there); an untrusted one
// is discarded, and nil means: download it.
func (s *Service) reusable(ctx context.Context, st *blobStore, name string) (*jetstream.ObjectInfo, error) {
	info, err := st.obs.GetInfo(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up object %s: %w", name, err)
	}
	ok, err := s.trusted(ctx, st, info)
	if err != nil || ok {
		return info, err
	}
	s.stats.discarded.Add(1)
	s.log.Warn("stored attachment incomplete or unverified; downloading it again", "object", name)
	if err := s.discard(ctx, st, name); err != nil {
		return nil, err
	}
	return nil, nil
}

// download streams the file from Confluence into the object store, then
// verifies what the store holds against what was streamed; an object that
// does not match is discarded and the error is retried. The runner renews
// the message's AckWait while it runs (every AckWait/3).
func (s *Service) download(ctx context.Context, st *blobStore, a *proto.AttachmentFound, name string) (*jetstream.ObjectInfo, error) {
	body, err := s.dl.DownloadAttachment(ctx, a.ContainerID, a.ID, a.Version)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	meta := jetstream.ObjectMeta{Name: name, Description: a.FileName, Headers: nats.Header{}}
	if a.MediaType != "" {
		meta.Headers.Set("Content-Type", a.MediaType)
	}
	in := newStreamed(limitReader(body, s.maxSize))
	_, err = st.obs.Put(ctx, meta, in)
	if err == nil {
		var info *jetstream.ObjectInfo
		if info, err = s.verify(ctx, st, name, in.size, in.digest()); err == nil {
			return info, nil
		}
	}
	// A put that failed part way (a full store) may leave an info
	// message without its chunks: never leave it to be reused.
	if derr := s.discard(context.WithoutCancel(ctx), st, name); derr != nil {
		err = errors.Join(err, derr)
	}
	if errors.Is(err, errTooLarge) {
		return nil, err
	}
	return nil, fmt.Errorf("put object %s: %w", name, err)
}

func blobRef(info *jetstream.ObjectInfo) *proto.BlobRef {
	return &proto.BlobRef{Bucket: info.Bucket, Name: info.Name, Size: int64(info.Size), Digest: info.Digest}
}
