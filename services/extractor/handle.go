package extractor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/extractor/internal/extract"
)

func (s *Service) handle(ctx context.Context, m *stage.Msg, in *proto.AttachmentStored) error {
	a := in.Attachment
	out := *in
	var err error
	out.Text, out.Extraction, err = s.extract(ctx, in)
	if err != nil {
		return fmt.Errorf("extract attachment %s v%d: %w", a.ID, a.Version, err)
	}
	s.count(out.Extraction)
	if out.Extraction != proto.ExtractionOK {
		m.Log.Info("attachment text", "attachment_id", a.ID, "version", a.Version, "file_name", a.FileName, "extraction", out.Extraction, "text_bytes", len(out.Text))
	}
	subject := s.sub.AttachmentExtracted(a.SpaceID, a.ID)
	if err := s.pub.Publish(ctx, subject, &out, proto.MsgID("extracted", a.ID, a.Version, a.CrawlID)); err != nil {
		return fmt.Errorf("publish extracted attachment %s: %w", a.ID, err)
	}
	return nil
}

// extract returns the text of a stored attachment and the verdict. An
// error means the object store failed (worth a retry), never the file.
func (s *Service) extract(ctx context.Context, in *proto.AttachmentStored) (text, status string, err error) {
	a, blob := in.Attachment, in.Blob
	switch {
	case blob == nil:
		why := in.Skipped
		if why == "" {
			why = "no bytes stored"
		}
		return "", proto.ExtractionSkipped + ": " + why, nil
	case s.maxFile > 0 && blob.Size > s.maxFile:
		return "", fmt.Sprintf("%s: larger than content.attachments.extract.max_file_size %s (%d bytes)",
			proto.ExtractionSkipped, config.ByteSize(s.maxFile), blob.Size), nil
	case !extract.Supported(a.FileName, a.MediaType) && !s.ex.Tika():
		return "", proto.ExtractionUnsupported, nil // not worth reading the object
	}
	obj, err := s.blobs.OpenBlob(ctx, *blob)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return "", proto.ExtractionFailed + ": bytes missing from the object store", nil
	}
	if err != nil {
		return "", "", err
	}
	defer obj.Close()
	res := s.ex.Extract(ctx, extract.File{Name: a.FileName, MediaType: a.MediaType, Size: blob.Size, Body: obj})
	s.stats.bytes.Add(blob.Size)
	switch {
	case ctx.Err() != nil:
		return "", "", ctx.Err() // shutting down: the message goes back
	case res.SourceErr != nil:
		return "", "", fmt.Errorf("read object %s: %w", blob.Name, res.SourceErr)
	}
	return res.Text, res.Status, nil
}

func (s *Service) count(status string) {
	c := &s.stats
	switch {
	case status == proto.ExtractionOK:
		c.extracted.Add(1)
	case status == proto.ExtractionTruncated:
		c.truncated.Add(1)
	case status == proto.ExtractionUnsupported:
		c.unsupported.Add(1)
	case strings.HasPrefix(status, proto.ExtractionSkipped):
		c.skipped.Add(1)
	default:
		c.failed.Add(1)
	}
}
