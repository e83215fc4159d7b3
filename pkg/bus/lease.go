package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Lease is a right held by one replica at a time: a key in a KV bucket
// with a TTL (proto.BucketLeases), created with Create (first writer wins)
// and renewed with Update on its revision. A holder that dies stops
// renewing and the bucket's TTL frees the key; Release frees it at once.
type Lease struct {
	kv     jetstream.KeyValue
	key    string
	holder string
	log    *slog.Logger
	stop   chan struct{}
	done   chan struct{}
	lost   chan struct{}

	mu  sync.Mutex
	rev uint64
}

// AcquireLease tries once to take key for holder; ok is false when
// another replica holds it. The lease renews itself every renewEvery (a
// third of the bucket's TTL or less) until Release, or until a renewal
// finds it taken (Lost).
func AcquireLease(ctx context.Context, kv jetstream.KeyValue, key, holder string, renewEvery time.Duration, log *slog.Logger) (l *Lease, ok bool, err error) {
	rev, err := kv.Create(ctx, key, []byte(holder))
	if KeyExists(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("acquire lease %s: %w", key, err)
	}
	l = &Lease{kv: kv, key: key, holder: holder, log: log, rev: rev,
		stop: make(chan struct{}), done: make(chan struct{}), lost: make(chan struct{})}
	go l.renew(renewEvery)
	return l, true, nil
}

// Lost is closed when a renewal found the lease taken or gone: the holder
// must stop acting on it.
func (l *Lease) Lost() <-chan struct{} { return l.lost }

func (l *Lease) renew(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		l.mu.Lock()
		rev, err := l.kv.Update(ctx, l.key, []byte(l.holder), l.rev)
		if err == nil {
			l.rev = rev
		}
		l.mu.Unlock()
		cancel()
		switch {
		case KeyExists(err) || errors.Is(err, jetstream.ErrKeyNotFound):
			l.log.Warn("lease lost", "lease", l.key)
			close(l.lost)
			return
		case err != nil:
			l.log.Warn("renew lease", "lease", l.key, "error", err.Error())
		}
	}
}

// Release stops renewing and deletes the key if it is still ours, so that
// another replica may take it at once.
func (l *Lease) Release() {
	select {
	case <-l.stop:
		return
	default:
	}
	close(l.stop)
	<-l.done
	select {
	case <-l.lost:
		return
	default:
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.kv.Delete(ctx, l.key, jetstream.LastRevision(l.rev))
}

// KeyExists reports whether a KV Create or Update failed because the key
// exists or changed (a replicated bucket may answer code 10164 without
// ErrKeyExists).
func KeyExists(err error) bool {
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return true
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) &&
		(apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}
