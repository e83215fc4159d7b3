package attachments

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
)

// verifiedKey is the object metadata key that marks a stored attachment as
// complete: its value is the digest the stage computed while streaming,
// written only after the object store's own size and digest were read
// back and matched. An object without it (a put interrupted by a full
// disk, a process that died between put and check) is not trusted.
const verifiedKey = "conflux-verified"

// errIncomplete says a stored object is not what was streamed.
var errIncomplete = errors.New("stored object incomplete")

// streamed counts and hashes the bytes a reader hands out, the same way
// the object store computes its digest.
type streamed struct {
	r    io.Reader
	h    hash.Hash
	size int64
}

func newStreamed(r io.Reader) *streamed { return &streamed{r: r, h: sha256.New()} }

func (s *streamed) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.h.Write(p[:n])
	s.size += int64(n)
	return n, err
}

func (s *streamed) digest() string { return jetstream.GetObjectDigestValue(s.h) }

// verify reads the object's info back and checks it against what was
// streamed (size and digest) and that the stream holds every chunk; only
// then does it write the completion marker. It returns the marked info.
func (s *Service) verify(ctx context.Context, st *blobStore, name string, size int64, digest string) (*jetstream.ObjectInfo, error) {
	info, err := st.obs.GetInfo(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read back object %s: %w", name, err)
	}
	if int64(info.Size) != size || info.Digest != digest {
		return nil, fmt.Errorf("object %s holds %d bytes %s, streamed %d bytes %s: %w",
			name, info.Size, info.Digest, size, digest, errIncomplete)
	}
	if err := s.chunksPresent(ctx, st, info); err != nil {
		return nil, err
	}
	meta := info.ObjectMeta
	meta.Metadata = map[string]string{verifiedKey: digest}
	for k, v := range info.Metadata {
		if k != verifiedKey {
			meta.Metadata[k] = v
		}
	}
	if err := st.obs.UpdateMeta(ctx, name, meta); err != nil {
		return nil, fmt.Errorf("mark object %s complete: %w", name, err)
	}
	info.Metadata = meta.Metadata
	return info, nil
}

// trusted reports whether a stored object may be reused without a
// download: it carries the completion marker naming its digest, and the
// stream still holds all its chunks.
func (s *Service) trusted(ctx context.Context, st *blobStore, info *jetstream.ObjectInfo) (bool, error) {
	if info.Metadata[verifiedKey] == "" || info.Metadata[verifiedKey] != info.Digest {
		return false, nil
	}
	err := s.chunksPresent(ctx, st, info)
	if errors.Is(err, errIncomplete) {
		return false, nil
	}
	return err == nil, err
}

// chunksPresent checks that the object's chunk subject holds as many
// messages as its info says.
func (s *Service) chunksPresent(ctx context.Context, st *blobStore, info *jetstream.ObjectInfo) error {
	subj := bus.ChunkSubject(info.Bucket, info.NUID)
	si, err := st.stream.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return fmt.Errorf("count chunks of object %s: %w", info.Name, err)
	}
	if got := si.State.Subjects[subj]; got != uint64(info.Chunks) {
		return fmt.Errorf("object %s has %d of %d chunks: %w", info.Name, got, info.Chunks, errIncomplete)
	}
	return nil
}

// discard removes an object that cannot be trusted, so that the next
// delivery or crawl downloads it again. On a full store the object
// store's delete marker may not fit; purging its subjects needs no space.
func (s *Service) discard(ctx context.Context, st *blobStore, name string) error {
	info, err := st.obs.GetInfo(ctx, name, jetstream.GetObjectInfoShowDeleted())
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up object %s to discard: %w", name, err)
	}
	if err := st.obs.Delete(ctx, name); err == nil {
		return nil
	}
	for _, subj := range []string{bus.ChunkSubject(info.Bucket, info.NUID), bus.MetaSubject(info.Bucket, name)} {
		if err := st.stream.Purge(ctx, jetstream.WithPurgeSubject(subj)); err != nil {
			return fmt.Errorf("discard object %s: purge %s: %w", name, subj, err)
		}
	}
	return nil
}
