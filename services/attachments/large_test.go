package attachments

import (
	"io"
	"testing"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// TestLargeFilesGoToTheirOwnStore: a file of proto.LargeBlob bytes or
// more is stored in proto.ObjectBlobsLarge (a smaller one stays in
// proto.ObjectBlobs), found there again by the next crawl, and reads back
// whole through bus.Objects as the sink and the extractor read it.
func TestLargeFilesGoToTheirOwnStore(t *testing.T) {
	e := newEnv(t, proto.Options{}, proto.LargeBlob, proto.LargeBlob-1)
	svc := e.start(0, nil)
	cases := []struct {
		id, bucket string
	}{
		{"att770000", proto.ObjectBlobsLarge},
		{"att770001", proto.ObjectBlobs},
	}
	for _, c := range cases {
		a := e.attachment(c.id)
		e.send(e.found("c1", a))
		got := e.stored("c1", e.page.SpaceID, a.ID)
		if got.Blob == nil || got.Blob.Bucket != c.bucket || got.Blob.Size != a.Size || got.Blob.Digest != e.digest(a) {
			t.Fatalf("%s of %d bytes stored as %+v, want in %s", a.ID, a.Size, got.Blob, c.bucket)
		}
		r, err := bus.NewObjects(e.js).Open(testContext(t), got.Blob.Bucket, got.Blob.Name)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil || n != a.Size {
			t.Errorf("read back %d bytes of %s (%v), want %d", n, a.ID, err, a.Size)
		}
		e.send(e.found("c2", a))
		again := e.stored("c2", e.page.SpaceID, a.ID)
		if again.Blob == nil || *again.Blob != *got.Blob {
			t.Errorf("next crawl stored %s as %+v, want the same %+v", a.ID, again.Blob, got.Blob)
		}
	}
	if st := svc.Stats(); st.Downloaded != 2 || st.Reused != 2 {
		t.Errorf("stats = %+v, want 2 downloaded and 2 reused", st)
	}
}
