package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// How the fleet shares one request rate: every process that calls
// Confluence announces itself every announceEvery on the RateBudget
// subject; a process not heard of for memberTTL has left. Each takes
// total ÷ (processes heard), so four fetchers together stay within the
// configured rate, and a lone survivor gets all of it back within
// memberTTL.
const (
	announceEvery = 2 * time.Second
	memberTTL     = 3 * announceEvery
)

// ratePart is what a budget sets: the client's own rate.
type ratePart interface{ SetRate(perSecond float64) }

// budget tracks the processes sharing the fleet's rate.
type budget struct {
	self  string
	total float64
	c     ratePart

	mu   sync.Mutex
	seen map[string]time.Time
}

// shareRate keeps c's rate at total ÷ the processes announcing themselves
// on subject, until ctx is done. total ≤ 0 leaves c unlimited.
func shareRate(ctx context.Context, nc *nats.Conn, subject string, total float64, c ratePart) error {
	if total <= 0 {
		return nil
	}
	b := &budget{self: instanceID(), total: total, c: c, seen: map[string]time.Time{}}
	b.heard(b.self, time.Now())
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		if id := string(m.Data); id != "" && len(id) <= 64 {
			b.heard(id, time.Now())
		}
	})
	if err != nil {
		return err
	}
	announce := func() { _ = nc.Publish(subject, []byte(b.self)) }
	announce()
	go func() {
		defer func() { _ = sub.Unsubscribe() }()
		t := time.NewTicker(announceEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				announce()
				b.heard(b.self, time.Now())
			}
		}
	}()
	return nil
}

// heard records a member and sets the rate for the members alive now.
func (b *budget) heard(id string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seen[id] = now
	for k, at := range b.seen {
		if now.Sub(at) > memberTTL {
			delete(b.seen, k)
		}
	}
	b.c.SetRate(b.total / float64(len(b.seen)))
}

// instanceID names this process's client on the bus.
func instanceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
