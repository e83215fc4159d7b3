package attachments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

const mib = 1 << 20

func TestDownloadThenReuse(t *testing.T) {
	e := newEnv(t, proto.Options{}, 3*mib+17)
	svc := e.start(0, nil)
	a := e.attachment("att770000")

	e.send(e.found("c1", a))
	first := e.stored("c1", e.page.SpaceID, a.ID)
	if first.Blob == nil || first.Skipped != "" {
		t.Fatalf("stored = %+v", first)
	}
	want := ObjectName(e.sim.URL(), a.ID, a.Version)
	if first.Blob.Name != want || first.Blob.Bucket != proto.ObjectBlobs || first.Blob.Size != a.Size {
		t.Errorf("blob = %+v, want %s of %d bytes", first.Blob, want, a.Size)
	}
	if first.Blob.Digest != e.digest(a) {
		t.Errorf("digest %s, want %s", first.Blob.Digest, e.digest(a))
	}
	if first.Attachment.ID != a.ID || first.Attachment.CrawlID != "c1" {
		t.Errorf("attachment = %+v", first.Attachment)
	}
	downloads := e.sim.Counters().Downloads

	// The next crawl finds the same version: no download.
	e.send(e.found("c2", a))
	second := e.stored("c2", e.page.SpaceID, a.ID)
	if second.Blob == nil || *second.Blob != *first.Blob {
		t.Errorf("reused blob = %+v, want %+v", second.Blob, first.Blob)
	}
	if n := e.sim.Counters().Downloads; n != downloads {
		t.Errorf("downloads went from %d to %d for a stored version", downloads, n)
	}
	st := svc.Stats()
	if st.Downloaded != 1 || st.Reused != 1 || st.Bytes != a.Size {
		t.Errorf("stats = %+v", st)
	}
}

func TestOverMaxSizeIsMetadataOnly(t *testing.T) {
	e := newEnv(t, proto.Options{}, 2*mib, 3*mib)
	svc := e.start(1*mib, nil)
	declared := e.attachment("att770000")
	lying := e.attachment("att770001")

	e.send(e.found("c1", declared))
	got := e.stored("c1", e.page.SpaceID, declared.ID)
	if got.Blob != nil || !strings.HasPrefix(got.Skipped, "larger than max_size") {
		t.Errorf("declared too large: %+v", got)
	}

	// The declared size lies: the limit holds while streaming.
	f := e.found("c1", lying)
	f.Size = 1000
	e.send(f)
	got = e.stored("c1", e.page.SpaceID, lying.ID)
	if got.Blob != nil || !strings.Contains(got.Skipped, "found while downloading") {
		t.Errorf("lying size: %+v", got)
	}
	_, err := e.blobs.GetInfo(testContext(t), ObjectName(e.sim.URL(), lying.ID, lying.Version))
	if !errors.Is(err, jetstream.ErrObjectNotFound) {
		t.Errorf("a partial object stayed: %v", err)
	}
	if st := svc.Stats(); st.TooLarge != 2 || st.Downloaded != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestVanishedAttachmentIsDropped(t *testing.T) {
	e := newEnv(t, proto.Options{}, 1000)
	svc := e.start(0, nil)
	a := *e.attachment("att770000")
	a.ID = "att99999999" // not in the tenant
	e.send(e.found("c1", &a))
	eventually(t, "dropped outcome", func() bool {
		seen, err := e.tracker.SeenItems(testContext(t), "c1", e.page.SpaceID)
		if err != nil {
			t.Fatal(err)
		}
		o, ok := seen[a.ID]
		return ok && o.State == proto.OutcomeDropped && o.Stage == proto.StageAttachments && strings.Contains(o.Reason, "404")
	})
	if st := svc.Stats(); st.Vanished != 1 {
		t.Errorf("stats = %+v", st)
	}
	stream, _ := e.js.Stream(testContext(t), proto.StreamStored)
	if _, err := stream.GetLastMsgForSubject(testContext(t), e.sub.AttachmentStored(e.page.SpaceID, a.ID)); err == nil {
		t.Error("a vanished attachment was published as stored")
	}
}

// TestMemoryStaysFlat downloads four 30 MiB attachments at once and samples
// the heap: the files are streamed, never held.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads 120 MiB")
	}
	const size = 30 * mib
	e := newEnv(t, proto.Options{}, size, size, size, size)
	// A low GC target keeps HeapAlloc close to the live heap, so that the
	// peak measures what is held rather than garbage not yet collected.
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	svc := e.start(0, nil)
	start := time.Now()
	for i := range 4 {
		e.send(e.found("c1", e.tenant.Attachments[len(e.tenant.Attachments)-4+i]))
	}
	for i := range 4 {
		a := e.tenant.Attachments[len(e.tenant.Attachments)-4+i]
		if got := e.stored("c1", e.page.SpaceID, a.ID); got.Blob == nil || got.Blob.Size != size {
			t.Fatalf("stored = %+v", got)
		}
	}
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	growth := int64(peak.Load()) - int64(base.HeapAlloc)
	t.Logf("4 x 30 MiB downloaded at once in %s (%d bytes); heap before %d MiB, peak %d MiB, growth %.1f MiB",
		elapsed.Round(time.Millisecond), svc.Stats().Bytes, base.HeapAlloc/mib, peak.Load()/mib, float64(growth)/mib)
	// The whole process is measured (embedded NATS server and simulator
	// included): about 20 MiB whatever the file size. Holding even two of
	// the files would exceed the bound.
	if growth > 48*mib {
		t.Errorf("heap grew by %d MiB while downloading 4 x 30 MiB: the files are buffered", growth/mib)
	}
}

// slowDownloader trickles bytes for longer than the consumer's AckWait.
type slowDownloader struct {
	calls atomic.Int32
	size  int
	pause time.Duration
}

func (s *slowDownloader) DownloadAttachment(ctx context.Context, _, _ string, _ int) (io.ReadCloser, error) {
	s.calls.Add(1)
	return io.NopCloser(&trickle{ctx: ctx, left: s.size, pause: s.pause}), nil
}

type trickle struct {
	ctx   context.Context
	left  int
	pause time.Duration
}

func (r *trickle) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	select {
	case <-r.ctx.Done():
		return 0, r.ctx.Err()
	case <-time.After(r.pause):
	}
	n := min(len(p), r.left, 1024)
	for i := range n {
		p[i] = byte(i)
	}
	r.left -= n
	return n, nil
}

// TestLongDownloadKeepsItsMessage: a download lasting three AckWaits is
// not redelivered, because the runner calls InProgress while it runs.
func TestLongDownloadKeepsItsMessage(t *testing.T) {
	e := newEnv(t, proto.Options{AckWait: 2 * time.Second}, 20*1024)
	dl := &slowDownloader{size: 20 * 1024, pause: 300 * time.Millisecond} // about 6 s
	e.start(0, dl)
	a := e.attachment("att770000")
	e.send(e.found("c1", a))
	if got := e.stored("c1", e.page.SpaceID, a.ID); got.Blob == nil || got.Blob.Size != 20*1024 {
		t.Fatalf("stored = %+v", got)
	}
	if n := dl.calls.Load(); n != 1 {
		t.Errorf("%d downloads, want 1: the message was redelivered", n)
	}
}

type failingDownloader struct{ err error }

func (f failingDownloader) DownloadAttachment(context.Context, string, string, int) (io.ReadCloser, error) {
	return nil, f.err
}

// TestPermanentFailureIsRecorded: a download that cannot succeed is
// dead-lettered and its item recorded as failed, so the crawl completes.
func TestPermanentFailureIsRecorded(t *testing.T) {
	e := newEnv(t, proto.Options{}, 1000)
	e.start(0, failingDownloader{fmt.Errorf("download: status 400: %w", confluence.ErrPermanent)})
	a := e.attachment("att770000")
	e.send(e.found("c1", a))
	eventually(t, "failed outcome", func() bool {
		seen, err := e.tracker.SeenItems(testContext(t), "c1", e.page.SpaceID)
		if err != nil {
			t.Fatal(err)
		}
		o, ok := seen[a.ID]
		return ok && o.State == proto.OutcomeFailed && strings.Contains(o.Reason, "status 400")
	})
}
