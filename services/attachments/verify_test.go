package attachments

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// readBlob reads a stored object whole (the object store checks its
// digest at the end).
func (e *env) readBlob(name string) []byte {
	e.t.Helper()
	r, err := e.blobs.Get(testContext(e.t), name)
	if err != nil {
		e.t.Fatalf("get %s: %v", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		e.t.Fatalf("read %s: %v", name, err)
	}
	return b
}

func (e *env) wantBytes(name string, a []byte) {
	e.t.Helper()
	if got := e.readBlob(name); !bytes.Equal(got, a) {
		e.t.Fatalf("object %s: %d bytes differ from the tenant's %d", name, len(got), len(a))
	}
}

func (e *env) tenantBytes(id string) []byte {
	b, err := io.ReadAll(e.tenant.Bytes(e.attachment(id)))
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// TestIncompleteObjectIsDownloadedAgain: a stored version that lost a
// chunk, or that was never verified (a put cut short, a process that died
// before the check), is not reused: it is discarded and downloaded again.
func TestIncompleteObjectIsDownloadedAgain(t *testing.T) {
	e := newEnv(t, proto.Options{}, 3*mib+17)
	svc := e.start(0, nil)
	a := e.attachment("att770000")
	name := ObjectName(e.sim.URL(), a.ID, a.Version)
	ctx := testContext(t)

	e.send(e.found("c1", a))
	first := e.stored("c1", e.page.SpaceID, a.ID)
	info, err := e.blobs.GetInfo(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if info.Metadata[verifiedKey] != first.Blob.Digest {
		t.Fatalf("stored object carries marker %q, want its digest %s", info.Metadata[verifiedKey], first.Blob.Digest)
	}

	// Lose one chunk: the info still says the object is whole.
	stream, err := e.js.Stream(ctx, bus.ObjectStream(proto.ObjectBlobs))
	if err != nil {
		t.Fatal(err)
	}
	last, err := stream.GetLastMsgForSubject(ctx, bus.ChunkSubject(proto.ObjectBlobs, info.NUID))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.DeleteMsg(ctx, last.Sequence); err != nil {
		t.Fatal(err)
	}
	downloads := e.sim.Counters().Downloads
	e.send(e.found("c2", a))
	second := e.stored("c2", e.page.SpaceID, a.ID)
	if second.Blob == nil || second.Blob.Digest != e.digest(a) || second.Blob.Size != a.Size {
		t.Fatalf("after a lost chunk: blob = %+v", second.Blob)
	}
	if n := e.sim.Counters().Downloads; n != downloads+1 {
		t.Errorf("downloads went from %d to %d; want one more for an incomplete object", downloads, n)
	}
	e.wantBytes(name, e.tenantBytes(a.ID))

	// An object put without the check (no marker) is not trusted either.
	if _, err := e.blobs.Put(ctx, jetstream.ObjectMeta{Name: name}, bytes.NewReader([]byte("half"))); err != nil {
		t.Fatal(err)
	}
	e.send(e.found("c3", a))
	third := e.stored("c3", e.page.SpaceID, a.ID)
	if third.Blob == nil || third.Blob.Digest != e.digest(a) {
		t.Fatalf("after an unverified put: blob = %+v", third.Blob)
	}
	e.wantBytes(name, e.tenantBytes(a.ID))
	if st := svc.Stats(); st.Discarded != 2 || st.Downloaded != 3 {
		t.Errorf("stats = %+v, want 2 discarded, 3 downloaded", st)
	}
}

// TestFullStoreKeepsNothingHalfWritten: a put that fails part way because
// the store is full leaves nothing that a later delivery would reuse; once
// there is room again the retry stores the whole file.
func TestFullStoreKeepsNothingHalfWritten(t *testing.T) {
	e := newEnv(t, proto.Options{}, 3*mib+17)
	ctx := testContext(t)
	setBlobLimit(t, e.js, 1*mib)
	svc := e.start(0, nil)
	a := e.attachment("att770000")
	name := ObjectName(e.sim.URL(), a.ID, a.Version)
	e.send(e.found("c1", a))
	eventually(t, "a failed put", func() bool { return e.sim.Counters().Downloads >= 2 })
	// A failed put's object may stand for a moment, until the stage
	// discards it; it must never carry the completion marker.
	if info, err := e.blobs.GetInfo(ctx, name); err == nil && info.Metadata[verifiedKey] != "" {
		t.Fatalf("a failed put left a trusted object %s: %+v", name, info)
	}
	setBlobLimit(t, e.js, -1)
	got := e.stored("c1", e.page.SpaceID, a.ID)
	if got.Blob == nil || got.Blob.Digest != e.digest(a) || got.Blob.Size != a.Size {
		t.Fatalf("blob = %+v", got.Blob)
	}
	e.wantBytes(name, e.tenantBytes(a.ID))
	if st := svc.Stats(); st.Downloaded != 1 {
		t.Errorf("stats = %+v", st)
	}
}

// setBlobLimit sets the object store's MaxBytes (-1: none).
func setBlobLimit(t *testing.T, js jetstream.JetStream, max int64) {
	t.Helper()
	ctx := context.Background()
	for _, cfg := range proto.ObjectStores(proto.Options{}) {
		if cfg.Bucket == proto.ObjectBlobs {
			cfg.MaxBytes = max
			if _, err := js.UpdateObjectStore(ctx, cfg); err != nil {
				t.Fatal(err)
			}
		}
	}
}
