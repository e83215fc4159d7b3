package tokens_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/tokens"
	"github.com/conflux-dev/conflux/proto"
)

const site = "https://acme.atlassian.net"

// broker is a stand-in token broker on a real NATS server: it answers
// with whatever answer() returns and counts requests.
type broker struct {
	gets, invalidations atomic.Int64
	mu                  sync.Mutex
	answer              func(subject string, data []byte) (tokens.Reply, string) // reply, or an error code
	lastInvalidate      tokens.InvalidateRequest
}

func startBroker(t *testing.T, nc *nats.Conn, answer func(string, []byte) (tokens.Reply, string)) *broker {
	t.Helper()
	b := &broker{answer: answer}
	svc, err := micro.AddService(nc, micro.Config{Name: "fake-broker", Version: "0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop() })
	handle := func(req micro.Request) {
		if req.Subject() == proto.For(site).TokenGet() {
			b.gets.Add(1)
		} else {
			b.invalidations.Add(1)
			b.mu.Lock()
			_ = json.Unmarshal(req.Data(), &b.lastInvalidate)
			b.mu.Unlock()
		}
		b.mu.Lock()
		r, code := b.answer(req.Subject(), req.Data())
		b.mu.Unlock()
		if code != "" {
			body, _ := json.Marshal(tokens.ErrorReply{Error: map[string]string{
				tokens.CodeReauthorization: tokens.ErrorReauthorization, tokens.CodeUnavailable: tokens.ErrorUnavailable,
			}[code], Message: "test", Command: "oauth2-tokenfetcher --api confluencecloud -i x"})
			_ = req.Error(code, "test error", body)
			return
		}
		_ = req.RespondJSON(r)
	}
	for name, subj := range map[string]string{"get": proto.For(site).TokenGet(), "invalidate": proto.For(site).TokenInvalidate()} {
		if err := svc.AddEndpoint(name, micro.HandlerFunc(handle), micro.WithEndpointSubject(subj)); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// sequence answers Bearer tok-1, tok-2, … each valid for ttl.
func sequence(ttl time.Duration) func(string, []byte) (tokens.Reply, string) {
	n := 0
	return func(string, []byte) (tokens.Reply, string) {
		n++
		return tokens.Reply{Authorization: "Bearer tok-" + string(rune('0'+n)), BaseURL: "https://gw/ex/confluence/c1", ExpiresAt: time.Now().Add(ttl)}, ""
	}
}

func TestCaching(t *testing.T) {
	nc := connect(t)
	b := startBroker(t, nc, sequence(time.Second))
	creds := tokens.NewBrokerCredentials(nc, site)
	c1, err := creds.Credential(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if c1.Authorization != "Bearer tok-1" || c1.BaseURL != "https://gw/ex/confluence/c1" {
		t.Fatalf("credential %v", c1)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if c, err := creds.Credential(ctx(t)); err != nil || c.Authorization != "Bearer tok-1" {
				t.Errorf("cached credential %v %v", c, err)
			}
		})
	}
	wg.Wait()
	if b.gets.Load() != 1 {
		t.Fatalf("%d requests for a cached credential", b.gets.Load())
	}
	// A fifth of the lifetime before expiry, the next call asks again.
	time.Sleep(900 * time.Millisecond)
	if c, err := creds.Credential(ctx(t)); err != nil || c.Authorization != "Bearer tok-2" {
		t.Fatalf("after the margin: %v %v", c, err)
	}
}

func TestConcurrentCallersShareOneRequest(t *testing.T) {
	nc := connect(t)
	b := startBroker(t, nc, sequence(time.Hour))
	creds := tokens.NewBrokerCredentials(nc, site)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := creds.Credential(ctx(t)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if b.gets.Load() != 1 {
		t.Fatalf("%d requests", b.gets.Load())
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name      string
		code      string
		noBroker  bool
		want      error
		wantCalls int64
	}{
		{name: "reauthorization is not retried", code: tokens.CodeReauthorization, want: tokens.ErrReauthorizationNeeded, wantCalls: 1},
		{name: "unavailable is retried", code: tokens.CodeUnavailable, want: tokens.ErrUnavailable, wantCalls: 3},
		{name: "no broker", noBroker: true, want: tokens.ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nc := connect(t)
			var b *broker
			if !tc.noBroker {
				b = startBroker(t, nc, func(string, []byte) (tokens.Reply, string) { return tokens.Reply{}, tc.code })
			}
			creds := tokens.NewBrokerCredentials(nc, site, tokens.WithAttempts(3), tokens.WithRequestTimeout(2*time.Second))
			_, err := creds.Credential(ctx(t))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if b != nil && b.gets.Load() != tc.wantCalls {
				t.Fatalf("%d requests, want %d", b.gets.Load(), tc.wantCalls)
			}
		})
	}
}

func TestInvalidate(t *testing.T) {
	nc := connect(t)
	b := startBroker(t, nc, sequence(time.Hour))
	creds := tokens.NewBrokerCredentials(nc, site)
	c1, _ := creds.Credential(ctx(t))
	if err := creds.Invalidate(ctx(t), c1); err != nil {
		t.Fatal(err)
	}
	if b.lastInvalidate.Fingerprint != tokens.Fingerprint(c1.Authorization) {
		t.Fatal("invalidate did not name the credential by its fingerprint")
	}
	c2, _ := creds.Credential(ctx(t))
	if c2.Authorization != "Bearer tok-2" || b.gets.Load() != 1 {
		t.Fatalf("after invalidate: %v (gets %d)", c2, b.gets.Load())
	}
	// c1 is older than the cached credential: nothing to do.
	if err := creds.Invalidate(ctx(t), c1); err != nil || b.invalidations.Load() != 1 {
		t.Fatalf("stale invalidate: %v, %d invalidations", err, b.invalidations.Load())
	}
}

func TestNoExpiryIsCachedForMaxCacheAge(t *testing.T) {
	nc := connect(t)
	b := startBroker(t, nc, func(string, []byte) (tokens.Reply, string) {
		return tokens.Reply{Authorization: "Basic eDp5", BaseURL: site}, ""
	})
	creds := tokens.NewBrokerCredentials(nc, site, tokens.WithMaxCacheAge(300*time.Millisecond))
	for range 3 {
		if _, err := creds.Credential(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(400 * time.Millisecond)
	if _, err := creds.Credential(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if b.gets.Load() != 2 {
		t.Fatalf("%d requests, want 2", b.gets.Load())
	}
}

func TestFingerprint(t *testing.T) {
	if tokens.Short("") != "" || len(tokens.Short("secret")) != 4 || len(tokens.Fingerprint("secret")) != 64 {
		t.Fatal("fingerprint sizes")
	}
	if tokens.Short("secret") == tokens.Short("secret2") {
		t.Fatal("fingerprints collide")
	}
	var _ confluence.Credentials = tokens.NewBrokerCredentials(nil, site)
}

func connect(t *testing.T) *nats.Conn {
	t.Helper()
	nc, _ := natstest.Connect(t, natstest.Start(t))
	return nc
}

// With WithPauseWhileUnavailable a caller waits out "reauthorization
// needed" instead of failing, and gets the credential once the broker has
// one again (after a new consent).
func TestPauseWhileReauthorizationNeeded(t *testing.T) {
	nc := connect(t)
	var refused atomic.Bool
	refused.Store(true)
	b := startBroker(t, nc, func(string, []byte) (tokens.Reply, string) {
		if refused.Load() {
			return tokens.Reply{}, tokens.CodeReauthorization
		}
		return tokens.Reply{Authorization: "Bearer fresh", BaseURL: "https://gw", ExpiresAt: time.Now().Add(time.Hour)}, ""
	})
	creds := tokens.NewBrokerCredentials(nc, site, tokens.WithPauseWhileUnavailable(50*time.Millisecond))
	got := make(chan error, 1)
	go func() {
		c, err := creds.Credential(ctx(t))
		if err == nil && c.Authorization != "Bearer fresh" {
			err = errors.New("wrong credential " + c.String())
		}
		got <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for b.gets.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the caller did not keep asking")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-got:
		t.Fatalf("returned while reauthorization was needed: %v", err)
	default:
	}
	refused.Store(false)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// Without the option the same answer fails at once (TestErrors); with
	// it a cancelled caller gets the reason.
	refused.Store(true)
	creds = tokens.NewBrokerCredentials(nc, site, tokens.WithPauseWhileUnavailable(50*time.Millisecond))
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := creds.Credential(short); !errors.Is(err, tokens.ErrReauthorizationNeeded) {
		t.Fatalf("err %v, want reauthorization needed", err)
	}
}
