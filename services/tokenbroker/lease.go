package tokenbroker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lease is the right to refresh, held by one replica at a time: a key in
// the leases bucket created with Create (first writer wins) and renewed
// with Update on its revision every third of the bucket's TTL. A holder
// that dies stops renewing, and the bucket's MaxAge removes the key.
type lease struct {
	kv   jetstream.KeyValue
	key  string
	stop chan struct{}
	done chan struct{}

	mu   sync.Mutex
	rev  uint64
	lost bool
}

// acquireLease tries once; ok is false when another replica holds it.
func (s *Service) acquireLease(ctx context.Context) (l *lease, ok bool, err error) {
	rev, err := s.leasesKV.Create(ctx, s.lkey, []byte(s.o.holder))
	if keyExists(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("acquire lease %s: %w", s.lkey, err)
	}
	l = &lease{kv: s.leasesKV, key: s.lkey, rev: rev, stop: make(chan struct{}), done: make(chan struct{})}
	go l.renew(s, s.leaseTTL/3)
	return l, true, nil
}

// renew keeps the lease alive until release.
func (l *lease) renew(s *Service, every time.Duration) {
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
		rev, err := l.kv.Update(ctx, l.key, []byte(s.o.holder), l.rev)
		if err == nil {
			l.rev = rev
		} else if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyNotFound) {
			l.lost = true
		}
		l.mu.Unlock()
		cancel()
		if err != nil {
			s.log.Warn("renew refresh lease", "error", err.Error())
		}
	}
}

// release stops renewing and deletes the key if it is still ours, so
// another replica may refresh at once.
func (l *lease) release() {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.kv.Delete(ctx, l.key, jetstream.LastRevision(l.rev))
}
