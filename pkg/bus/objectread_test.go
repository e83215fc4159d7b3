package bus_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestObjectsReadWhatWasPut reads objects back chunk by chunk, of sizes
// around the chunk size, while other objects' chunks interleave with
// theirs in the stream.
func TestObjectsReadWhatWasPut(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	store, err := js.ObjectStore(ctx, proto.ObjectBlobs)
	if err != nil {
		t.Fatal(err)
	}
	const chunk = 1024
	sizes := map[string]int{"empty": 0, "one byte": 1, "one chunk": chunk, "chunk and one": chunk + 1, "many chunks": 70*chunk + 17}
	want := map[string][]byte{}
	var wg sync.WaitGroup
	errs := make(chan error, len(sizes))
	for name, n := range sizes {
		data := randomBytes(n, uint64(n))
		want[name] = data
		wg.Go(func() {
			meta := jetstream.ObjectMeta{Name: name, Opts: &jetstream.ObjectMetaOptions{ChunkSize: chunk}}
			if _, err := store.Put(ctx, meta, bytes.NewReader(data)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	objects := bus.NewObjects(js)
	for name := range sizes {
		t.Run(name, func(t *testing.T) {
			r, err := objects.Open(ctx, proto.ObjectBlobs, name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want[name]) {
				t.Errorf("read %d bytes, want the %d put", len(got), len(want[name]))
			}
			if r.Info().Name != name {
				t.Errorf("info names %q", r.Info().Name)
			}
		})
	}
}

func TestObjectsMissingObjectIsNotFound(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	objects := bus.NewObjects(js)
	if _, err := objects.Open(ctx, proto.ObjectBlobs, "absent"); !errors.Is(err, jetstream.ErrObjectNotFound) {
		t.Fatalf("open absent: %v, want ErrObjectNotFound", err)
	}
	store, err := js.ObjectStore(ctx, proto.ObjectBlobs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutBytes(ctx, "deleted", []byte("gone soon")); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, "deleted"); err != nil {
		t.Fatal(err)
	}
	if _, err := objects.Open(ctx, proto.ObjectBlobs, "deleted"); !errors.Is(err, jetstream.ErrObjectNotFound) {
		t.Fatalf("open deleted: %v, want ErrObjectNotFound", err)
	}
}

// TestObjectsMissingChunkFails removes one chunk of a stored object: the
// reader must fail naming the object, never return short bytes as whole.
func TestObjectsMissingChunkFails(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	store, err := js.ObjectStore(ctx, proto.ObjectBlobs)
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(5*1024, 7)
	meta := jetstream.ObjectMeta{Name: "torn", Opts: &jetstream.ObjectMetaOptions{ChunkSize: 1024}}
	info, err := store.Put(ctx, meta, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx, "OBJ_"+proto.ObjectBlobs)
	if err != nil {
		t.Fatal(err)
	}
	m, err := stream.GetMsg(ctx, 1, jetstream.WithGetMsgSubject("$O."+proto.ObjectBlobs+".C."+info.NUID))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.DeleteMsg(ctx, m.Sequence+2); err != nil { // the third chunk
		t.Fatal(err)
	}
	r, err := bus.NewObjects(js).Open(ctx, proto.ObjectBlobs, "torn")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if !errors.Is(err, bus.ErrObjectCorrupt) {
		t.Fatalf("read torn object: %d bytes, err %v; want ErrObjectCorrupt", len(got), err)
	}
	if len(got) >= len(data) {
		t.Errorf("read %d bytes of a torn object of %d", len(got), len(data))
	}
}
