package permissions

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// TestConcurrentDocumentsShareOneUsersCall: documents resolved at once
// that name the same unknown accounts (mentions, authors) wait for one
// users-bulk call instead of each making its own.
func TestConcurrentDocumentsShareOneUsersCall(t *testing.T) {
	tn := confluencesim.Generate(3, confluencesim.Size{Spaces: 1, PagesPerSpace: 2, Users: 20})
	sim, err := confluencesim.Start(tn, confluencesim.Options{Latency: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	client, err := confluence.New(confluence.Options{
		Credentials: confluence.BasicAuth(sim.URL(), "crawler@example.com", "crawler-token")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range tn.Users[:10] {
		ids = append(ids, u.AccountID)
	}
	r := &resolver{api: client}
	st := newCrawlState("c1", "", 100)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before := sim.Counters().Requests
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			mine := append(append([]string{}, ids[i%3:]...), ids[:i%3]...) // the same accounts, in another order
			ms, err := r.members(ctx, st, mine)
			if err != nil {
				t.Errorf("members: %v", err)
				return
			}
			for j, m := range ms {
				if m.ID != mine[j] || !m.Active || m.Name == "" {
					t.Errorf("member %d = %+v, want account %s active and named", j, m, mine[j])
				}
			}
		})
	}
	wg.Wait()
	if n := r.calls.userBatches.Load(); n != 1 {
		t.Errorf("%d users-bulk calls for 8 documents naming the same accounts, want 1", n)
	}
	if n := sim.Counters().Requests - before; n != 1 {
		t.Errorf("the simulator saw %d requests, want 1", n)
	}
}
