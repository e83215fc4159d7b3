package bus

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// ErrObjectCorrupt says the chunks read back do not add up to the
// object's recorded size and digest.
var ErrObjectCorrupt = errors.New("object does not match its recorded size and digest")

// ObjectStreams is the role of JetStream that reading objects chunk by
// chunk needs. jetstream.JetStream satisfies it.
type ObjectStreams interface {
	ObjectStore(ctx context.Context, bucket string) (jetstream.ObjectStore, error)
	Stream(ctx context.Context, name string) (jetstream.Stream, error)
}

// Objects opens objects of JetStream object stores for reading, one chunk
// (128 KiB by default) at a time: the next chunk is asked for only when
// the reader has used the last one up (a direct get by subject). The
// object store's own Get pushes through a flow-controlled consumer that
// may run 32 MiB ahead of the reader; a process holding several large
// objects open at once held that much per object. Objects binds each
// bucket once and is safe for concurrent use.
type Objects struct {
	js ObjectStreams
	mu sync.Mutex
	by map[string]boundBucket
}

type boundBucket struct {
	store  jetstream.ObjectStore
	stream jetstream.Stream
}

// NewObjects returns an Objects reading through js.
func NewObjects(js ObjectStreams) *Objects {
	return &Objects{js: js, by: map[string]boundBucket{}}
}

// Bind binds buckets now, so that a missing store is found at start-up
// rather than at the first read.
func (o *Objects) Bind(ctx context.Context, buckets ...string) error {
	for _, b := range buckets {
		if _, err := o.bind(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

func (o *Objects) bind(ctx context.Context, bucket string) (boundBucket, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if b, ok := o.by[bucket]; ok {
		return b, nil
	}
	store, err := o.js.ObjectStore(ctx, bucket)
	if err != nil {
		return boundBucket{}, fmt.Errorf("bind object store %s: %w", bucket, err)
	}
	stream, err := o.js.Stream(ctx, ObjectStream(bucket))
	if err != nil {
		return boundBucket{}, fmt.Errorf("bind the stream of object store %s: %w", bucket, err)
	}
	b := boundBucket{store: store, stream: stream}
	o.by[bucket] = b
	return b, nil
}

// Open returns a reader of object name in bucket. It fails with an error
// wrapping jetstream.ErrObjectNotFound when there is no such object (or
// it was deleted). The reader checks the object's size and digest at the
// end and fails with ErrObjectCorrupt when they do not match.
func (o *Objects) Open(ctx context.Context, bucket, name string) (*ObjectReader, error) {
	b, err := o.bind(ctx, bucket)
	if err != nil {
		return nil, err
	}
	info, err := b.store.GetInfo(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("get object %s: %w", name, err)
	}
	if info.NUID == "" {
		return nil, fmt.Errorf("get object %s: %w", name, jetstream.ErrBadObjectMeta)
	}
	return &ObjectReader{ctx: ctx, src: b.stream, info: info, subject: ChunkSubject(bucket, info.NUID),
		next: 1, left: info.Chunks, h: sha256.New()}, nil
}

// OpenBlob opens the object a BlobRef names, as Open does; a ref without
// a bucket (written before refs named theirs) is in proto.ObjectBlobs.
func (o *Objects) OpenBlob(ctx context.Context, ref proto.BlobRef) (*ObjectReader, error) {
	bucket := ref.Bucket
	if bucket == "" {
		bucket = proto.ObjectBlobs
	}
	return o.Open(ctx, bucket, ref.Name)
}

// ChunkGetter is the role of a stream that ObjectReader reads chunks
// from. jetstream.Stream satisfies it.
type ChunkGetter interface {
	GetMsg(ctx context.Context, seq uint64, opts ...jetstream.GetMsgOpt) (*jetstream.RawStreamMsg, error)
}

// ObjectReader reads one object chunk by chunk; it holds at most one
// chunk. It is not safe for concurrent use.
type ObjectReader struct {
	ctx     context.Context
	src     ChunkGetter
	info    *jetstream.ObjectInfo
	subject string // the object's chunk subject
	next    uint64 // the stream sequence to look for the next chunk from
	left    uint32 // chunks not read yet
	buf     []byte // the unread rest of the current chunk
	size    uint64 // bytes read so far
	h       hash.Hash
	err     error
}

// Info is the object's info as read when it was opened.
func (r *ObjectReader) Info() *jetstream.ObjectInfo { return r.info }

// Read reads the object's bytes in order.
func (r *ObjectReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 && r.err == nil {
		r.err = r.fill()
	}
	if len(r.buf) == 0 {
		return 0, r.err
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// fill reads the next chunk, or checks the whole at the end.
func (r *ObjectReader) fill() error {
	if r.left == 0 {
		if got := jetstream.GetObjectDigestValue(r.h); r.size != r.info.Size || got != r.info.Digest {
			return fmt.Errorf("read object %s: read %d bytes %s, recorded %d bytes %s: %w",
				r.info.Name, r.size, got, r.info.Size, r.info.Digest, ErrObjectCorrupt)
		}
		return io.EOF
	}
	m, err := r.src.GetMsg(r.ctx, r.next, jetstream.WithGetMsgSubject(r.subject))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("read object %s: chunk %d of %d missing: %w", r.info.Name,
			r.info.Chunks-r.left+1, r.info.Chunks, ErrObjectCorrupt)
	}
	if err != nil {
		return fmt.Errorf("read object %s: chunk %d of %d: %w", r.info.Name, r.info.Chunks-r.left+1, r.info.Chunks, err)
	}
	r.next, r.left = m.Sequence+1, r.left-1
	r.buf, r.size = m.Data, r.size+uint64(len(m.Data))
	r.h.Write(m.Data)
	return nil
}

// Close releases nothing the garbage collector does not; it exists so
// that ObjectReader is an io.ReadCloser.
func (r *ObjectReader) Close() error { return nil }
