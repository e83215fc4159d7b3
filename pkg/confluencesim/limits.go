package confluencesim

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"sync"
	"time"
)

// limiter holds the rate-limit bucket, the Retry-After promises made to
// each client, and the fault decisions.
type limiter struct {
	mu       sync.Mutex
	rate     float64
	burst    float64
	tokens   float64
	last     time.Time
	grace    time.Duration
	promised map[string]promise // client → announced Retry-After
	faults   float64
	seed     int64
	seen     map[string]int // request key → times seen
}

type promise struct {
	at, until time.Time
	conn      string // the connection the announcement went out on
}

func newLimiter(o Options) *limiter {
	burst := float64(o.Burst)
	if burst <= 0 {
		burst = max(1, o.Rate)
	}
	return &limiter{rate: o.Rate, burst: burst, tokens: burst, grace: o.ViolationGrace,
		promised: map[string]promise{}, faults: o.Faults, seed: o.Seed, seen: map[string]int{}}
}

// early reports whether the client came back before the time it was told
// to wait for, and how long it still has to wait. Requests arriving on
// another connection within the grace period after the announcement may
// have been in flight and do not count; on the connection that carried the
// announcement (HTTP/1.1, no pipelining) the request was sent after it.
func (l *limiter) early(client, conn string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.promised[client]
	if !ok {
		return false, 0
	}
	if !now.Before(p.until) {
		delete(l.promised, client)
		return false, 0
	}
	if conn != p.conn && now.Before(p.at.Add(l.grace)) {
		return false, 0
	}
	return true, p.until.Sub(now)
}

// announce records that the client was told, on conn, to wait d from now.
func (l *limiter) announce(client, conn string, now time.Time, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	until := now.Add(d)
	if p, ok := l.promised[client]; ok && p.until.After(until) {
		return
	}
	l.promised[client] = promise{at: now, until: until, conn: conn}
}

// take spends one token. When none is left it returns how long until one
// is, as whole seconds (at least 1) the way Retry-After announces it.
func (l *limiter) take(now time.Time) (ok bool, retry time.Duration, remaining int) {
	if l.rate <= 0 {
		return true, 0, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		return true, 0, int(l.tokens)
	}
	wait := (1 - l.tokens) / l.rate
	return false, time.Duration(math.Max(1, math.Ceil(wait))) * time.Second, 0
}

func (l *limiter) nearLimit() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate > 0 && l.tokens < 0.2*l.burst
}

// Fault kinds.
const (
	faultNone    = ""
	fault500     = "500"
	fault502     = "502"
	fault503     = "503"
	fault503RA   = "503_retry_after"
	faultTimeout = "timeout"
)

// fault decides whether the request identified by key fails, from the
// seed, the key and how many times the key was seen before. secs is the
// Retry-After of a fault503RA.
func (l *limiter) fault(key string) (kind string, secs int) {
	if l.faults <= 0 {
		return faultNone, 0
	}
	l.mu.Lock()
	n := l.seen[key]
	l.seen[key] = n + 1
	l.mu.Unlock()
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(l.seed))
	binary.LittleEndian.PutUint64(b[8:], uint64(n))
	h.Write(b[:])
	h.Write([]byte(key))
	x := h.Sum64()
	if float64(x>>11)/(1<<53) >= l.faults {
		return faultNone, 0
	}
	x = x*0x9E3779B97F4A7C15 + 1
	switch (x >> 40) % 20 {
	case 0, 1, 2, 3, 4:
		return fault500, 0
	case 5, 6, 7, 8:
		return fault502, 0
	case 9, 10, 11:
		return fault503, 0
	case 12, 13, 14, 15:
		return fault503RA, 1 + int((x>>20)%2)
	default:
		return faultTimeout, 0
	}
}

func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.promised = map[string]promise{}
	l.seen = map[string]int{}
	l.tokens, l.last = l.burst, time.Time{}
}
