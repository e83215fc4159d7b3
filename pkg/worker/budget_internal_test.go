package worker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/natstest"
)

// TestFourProcessesShareOneRate: four clients, each on its own NATS
// connection as four fetcher processes would be, sending as fast as they
// can, together stay within the one configured rate, measured at the
// simulator; alone, one client gets the whole rate.
func TestFourProcessesShareOneRate(t *testing.T) {
	const total = 20.0 // requests per second for the fleet
	srv := natstest.Start(t)
	tenant := confluencesim.Generate(7, confluencesim.Size{Spaces: 1, PagesPerSpace: 2})
	sim, err := confluencesim.Start(tenant, confluencesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sim.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var clients []*confluence.Client
	for range 4 {
		nc, err := nats.Connect(srv.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		c, err := confluence.New(confluence.Options{Rate: total,
			Credentials: confluence.BasicAuth(sim.URL(), "crawler@example.com", "crawler-token")})
		if err != nil {
			t.Fatal(err)
		}
		if err := shareRate(ctx, nc, "conflux.test.ratebudget", total, c); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, c := range clients {
		for c.Rate() > total/4+0.01 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if c.Rate() > total/4+0.01 {
			t.Fatalf("a client's share is %g/s, want %g/s", c.Rate(), total/4)
		}
	}

	const window = 4 * time.Second
	before := sim.Counters().Requests
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		for range 3 { // each process sends from several goroutines
			wg.Go(func() {
				for time.Since(start) < window {
					if _, err := c.Space(ctx, tenant.Spaces[0].ID); err != nil {
						t.Errorf("space: %v", err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	rate := float64(sim.Counters().Requests-before) / elapsed
	t.Logf("four processes together: %.1f requests/s at the simulator (configured %g/s for the fleet)", rate, total)
	// Each limiter lets its first request go at once (burst 1): allow that.
	if limit := total + 4/elapsed + 1; rate > limit {
		t.Errorf("%.1f requests/s, over the fleet's %g/s", rate, total)
	}
	if rate < total/2 {
		t.Errorf("%.1f requests/s: the share starves the fleet (configured %g/s)", rate, total)
	}
}
