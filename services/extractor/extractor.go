// Package extractor is the extractor stage: for every attachment the
// downloader stored (proto.AttachmentStored on CONFLUX_STORED) it reads
// the bytes from the object store proto.ObjectBlobs as a stream, extracts
// their text (package internal/extract) and publishes the same message,
// with Text and Extraction filled in, on
// conflux.<site>.extracted.<space>.<id> (CONFLUX_EXTRACTED) for the
// permission resolver.
//
//   - An attachment kept as metadata only (no blob), or larger than
//     content.attachments.extract.max_file_size, is not read: "skipped".
//   - A corrupt, encrypted, unsupported or too slow file still goes on,
//     with empty text and "failed: <reason>" or "unsupported": bad input
//     is never retried nor dead-lettered. Only the object store failing
//     (not the file) is retried.
//   - The text is at most content.attachments.extract.max_text bytes
//     ("truncated" beyond); a message over the claim-check threshold
//     travels by claim check like any other.
package extractor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/pkg/stage"
	"github.com/conflux-dev/conflux/pkg/worker"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/extractor/internal/extract"
)

// Deps are what the stage needs; Client is not used (the extractor never
// calls Confluence). Logger defaults to slog.Default().
type Deps = worker.Deps

// setupTimeout bounds binding the object store and the progress bucket.
const setupTimeout = 30 * time.Second

// Service is the extractor.
type Service struct {
	log     *slog.Logger
	sub     proto.Subjects
	maxFile int64
	ex      *extract.Extractor
	blobs   *bus.Objects // attachment bytes, read chunk by chunk
	pub     *bus.Publisher
	tracker *progress.Tracker
	runner  *stage.Runner
	stats   counters
}

// Stage is the extractor as conflux runs it.
var Stage = worker.Stage{Name: proto.StageExtractor, New: worker.Of(New)}

// New builds the stage; the topology must exist (bus.EnsureTopology).
func New(ctx context.Context, d Deps) (*Service, error) {
	if d.JS == nil {
		return nil, errors.New("extractor: Deps.JS is required")
	}
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	x := d.Config.Content.Attachments.Extract
	s := &Service{log: d.Log().With("stage", proto.StageExtractor), sub: proto.For(d.Config.Site), maxFile: int64(x.MaxFileSize),
		ex:    extract.New(extract.Limits{MaxText: int(x.MaxText), Timeout: x.Timeout.Std(), TikaURL: x.TikaURL}),
		blobs: bus.NewObjects(d.JS), pub: bus.NewPublisher(d.JS)}
	var err error
	if err = s.blobs.Bind(ctx, proto.ObjectBlobs); err != nil {
		return nil, fmt.Errorf("extractor: %w", err)
	}
	if s.tracker, err = progress.Open(ctx, d.JS); err != nil {
		return nil, fmt.Errorf("extractor: %w", err)
	}
	s.runner, err = d.Runner(proto.StageExtractor, "stored", stage.Typed(s.handle),
		stage.WithOnDeadLetter(s.tracker.OnDeadLetter(d.Log())))
	if err != nil {
		return nil, fmt.Errorf("extractor: %w", err)
	}
	return s, nil
}

// Run extracts until ctx is done, then finishes the files in flight and
// returns.
func (s *Service) Run(ctx context.Context) error {
	err := s.runner.Run(ctx)
	st := s.Stats()
	s.log.Info("extractor stopped", "extracted", st.Extracted, "truncated", st.Truncated, "unsupported", st.Unsupported,
		"failed", st.Failed, "skipped", st.Skipped, "bytes", st.Bytes)
	return err
}

// Stats counts what the stage did since it started.
type Stats struct {
	// Extracted is the number of files whose whole text was found.
	Extracted int64
	// Truncated is the number of files whose text was cut at max_text.
	Truncated int64
	// Unsupported is the number of files of a format not read.
	Unsupported int64
	// Failed is the number of corrupt, encrypted or too slow files.
	Failed int64
	// Skipped is the number of files not read: no bytes stored, or over
	// max_file_size.
	Skipped int64
	// Bytes is the number of stored bytes read.
	Bytes int64
}

type counters struct{ extracted, truncated, unsupported, failed, skipped, bytes atomic.Int64 }

// Stats returns the stage's counts.
func (s *Service) Stats() Stats {
	c := &s.stats
	return Stats{Extracted: c.extracted.Load(), Truncated: c.truncated.Load(), Unsupported: c.unsupported.Load(),
		Failed: c.failed.Load(), Skipped: c.skipped.Load(), Bytes: c.bytes.Load()}
}
