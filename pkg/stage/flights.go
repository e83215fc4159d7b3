package stage

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// flights are the messages a runner is handling, by stream sequence. A
// message that waited in the runner's buffer behind busy handlers for
// longer than AckWait is delivered again by the server, usually to the
// same runner; the second delivery must not run the handler a second
// time beside or after the first (a space listed twice, a document
// resolved twice), so it waits for the first and settles the same way;
// one that comes after the first was acknowledged is acknowledged at once
// (the runner remembers the last recentAcks acknowledged sequences).
type flights struct {
	mu    sync.Mutex
	m     map[uint64]*flight
	acked map[uint64]bool
	ring  []uint64 // acked's keys, oldest first once full
	next  int
}

// recentAcks is how many acknowledged stream sequences a runner keeps to
// recognise a late second delivery.
const recentAcks = 4096

// settled is the flight of a message acknowledged already.
var settled = func() *flight {
	f := &flight{done: make(chan struct{}), acked: true}
	close(f.done)
	return f
}()

// flight is one message being handled; done closes when it is settled.
type flight struct {
	done  chan struct{}
	acked bool
}

// join registers the handling of the message at seq. first is false when
// another delivery of it is being handled here; f is then that one.
func (fs *flights) join(seq uint64) (f *flight, first bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.m[seq]; ok {
		return f, false
	}
	if fs.acked[seq] {
		return settled, false
	}
	if fs.m == nil {
		fs.m = map[uint64]*flight{}
	}
	f = &flight{done: make(chan struct{})}
	fs.m[seq] = f
	return f, true
}

// land ends the handling of the message at seq.
func (fs *flights) land(seq uint64, f *flight, acked bool) {
	fs.mu.Lock()
	delete(fs.m, seq)
	if acked {
		fs.remember(seq)
	}
	f.acked = acked
	fs.mu.Unlock()
	close(f.done)
}

// remember adds seq to the recent acknowledged sequences, forgetting the
// oldest when full. The caller holds fs.mu.
func (fs *flights) remember(seq uint64) {
	if fs.acked == nil {
		fs.acked = make(map[uint64]bool, recentAcks)
	}
	if len(fs.ring) < recentAcks {
		fs.ring = append(fs.ring, seq)
	} else {
		delete(fs.acked, fs.ring[fs.next])
		fs.ring[fs.next] = seq
		fs.next = (fs.next + 1) % recentAcks
	}
	fs.acked[seq] = true
}

// follow waits until f is settled, renewing m (the later delivery) every
// renew meanwhile, and reports whether f was acknowledged.
func follow(m jetstream.Msg, f *flight, renew time.Duration) bool {
	t := time.NewTicker(renew)
	defer t.Stop()
	for {
		select {
		case <-f.done:
			return f.acked
		case <-t.C:
			_ = m.InProgress()
		}
	}
}
