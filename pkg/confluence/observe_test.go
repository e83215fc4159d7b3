package confluence_test

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

func TestEndpointOf(t *testing.T) {
	for path, want := range map[string]string{
		"/wiki/api/v2/spaces/98304/pages":                         "/wiki/api/v2/spaces/{id}/pages",
		"/wiki/rest/api/space/ENG":                                "/wiki/rest/api/space/{key}",
		"/wiki/rest/api/content/123/restriction/byOperation/read": "/wiki/rest/api/content/{id}/restriction/byOperation/read",
		"/wiki/rest/api/user":                                     "/wiki/rest/api/user",
		"/wiki/api/v2/pages":                                      "/wiki/api/v2/pages",
		"/wiki/rest/api/group/5f0c-1/member":                      "/wiki/rest/api/group/5f0c-1/member",
		"/wiki/rest/api/group/0b4a5c2e-8f1d-4c3b-9a7e-1d2c3b4a5f6e/membersByGroupId": "/wiki/rest/api/group/{id}/membersByGroupId",
		"/ex/confluence/557058:f1e2/wiki/api/v2/pages":                               "/ex/confluence/{id}/wiki/api/v2/pages",
	} {
		if got := confluence.EndpointOf(path); got != want {
			t.Errorf("EndpointOf(%s) = %s, want %s", path, got, want)
		}
	}
}

// observer records what a client tells it.
type observer struct {
	mu       sync.Mutex
	requests map[string]int
	near     int
	waited   time.Duration
}

func (o *observer) Request(method, endpoint string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests[method+" "+endpoint]++
}
func (o *observer) Waited(d time.Duration) { o.mu.Lock(); o.waited += d; o.mu.Unlock() }
func (o *observer) Budget(_ float64, near bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if near {
		o.near++
	}
}
func (o *observer) Downloaded(int) {}

// TestSlowsDownNearTheLimit: the simulator says X-RateLimit-NearLimit when
// under 20 % of its bucket is left; a client that slows down there meets
// fewer 429s than one that does not, and the observer sees every attempt
// and the time held.
func TestSlowsDownNearTheLimit(t *testing.T) {
	tenant := confluencesim.Generate(6, confluencesim.Size{Spaces: 1, PagesPerSpace: 2})
	run := func(pause time.Duration) (int64, *observer) {
		sim := startSim(t, tenant, confluencesim.Options{Rate: 40, Burst: 10})
		obs := &observer{requests: map[string]int{}}
		c := newClient(t, confluence.Options{Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken),
			Observer: obs, NearLimitPause: pause, BackoffBase: 50 * time.Millisecond})
		ctx := timeout(t, 60*time.Second)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 20 {
					if _, err := c.Space(ctx, tenant.Spaces[0].ID); err != nil && ctx.Err() == nil {
						t.Errorf("space: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		return sim.Counters().RateLimited, obs
	}
	eager, _ := run(-1)
	polite, obs := run(100 * time.Millisecond)
	t.Logf("429s: %d without slowing down, %d slowing down near the limit; %d near-limit answers, held %s",
		eager, polite, obs.near, obs.waited)
	if obs.near == 0 || obs.waited == 0 {
		t.Errorf("near-limit answers %d, held %s: want some", obs.near, obs.waited)
	}
	if polite >= eager {
		t.Errorf("slowing down met %d 429s, not slowing down %d", polite, eager)
	}
	if n := obs.requests["GET /wiki/api/v2/spaces/{id}"]; n < 80 {
		t.Errorf("observer saw %d attempts of /spaces/{id}, want ≥ 80", n)
	}
}

// TestDownloadsGiveWay: downloads take only the request-rate tokens that
// nothing else waits for, so a listing that starts while many downloads
// queue is not served after them.
func TestDownloadsGiveWay(t *testing.T) {
	tenant := confluencesim.Generate(6, confluencesim.Size{Spaces: 1, PagesPerSpace: 2})
	sim := startSim(t, tenant, confluencesim.Options{})
	c := newClient(t, confluence.Options{Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken),
		Rate: 20, Burst: 1})
	ctx := timeout(t, 60*time.Second)
	var page string
	for _, k := range sim.Tenant().Content {
		if k.Type == "page" && k.Status == "current" {
			page = k.ID
			break
		}
	}
	att, err := sim.AddAttachment(confluencesim.Attachment{ContainerID: page, Title: "a.bin", Size: 1024, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 8 downloaders × 5 downloads at 20 requests/s: about 2 s of tokens.
	start := time.Now()
	var wg sync.WaitGroup
	var downloadsDone time.Duration
	var mu sync.Mutex
	for range 8 {
		wg.Go(func() {
			for range 5 {
				body, err := c.DownloadAttachment(ctx, page, att, 1)
				if err != nil {
					t.Errorf("download: %v", err)
					return
				}
				_, _ = io.Copy(io.Discard, body)
				_ = body.Close()
			}
			mu.Lock()
			downloadsDone = max(downloadsDone, time.Since(start))
			mu.Unlock()
		})
	}
	time.Sleep(200 * time.Millisecond)
	listStart := time.Now()
	for range 5 {
		if _, err := c.Space(ctx, tenant.Spaces[0].ID); err != nil {
			t.Fatalf("space: %v", err)
		}
	}
	listing := time.Since(listStart)
	wg.Wait()
	t.Logf("5 space calls took %s among downloads that took %s", listing, downloadsDone)
	// Served behind the downloads' booked tokens, each call would wait
	// about 8/20 s; given way to, about 1/20 s.
	if listing >= downloadsDone/2 {
		t.Errorf("5 space calls took %s, downloads %s: the calls waited behind the downloads", listing, downloadsDone)
	}
}
