package confluencesim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestRateLimit429(t *testing.T) {
	s := start(t, Demo(), Options{Rate: 0.2, Burst: 2, ViolationGrace: 100 * time.Millisecond})
	url := s.URL() + "/wiki/api/v2/spaces"
	mustGet(t, url, demoAuth)
	mustGet(t, url, demoAuth)
	r := get(t, url, demoAuth)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("third request: %d, want 429", r.status)
	}
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < 2 || ra > 6 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Reason"} {
		if r.header.Get(h) == "" {
			t.Errorf("429 without %s", h)
		}
	}
	if _, err := time.Parse("2006-01-02T15:04Z", r.header.Get("X-RateLimit-Reset")); err != nil {
		t.Errorf("X-RateLimit-Reset %q: %v", r.header.Get("X-RateLimit-Reset"), err)
	}
	if r.body["errors"] == nil {
		t.Errorf("429 body %s", r.raw)
	}
	// Coming back before Retry-After is a violation, answered 429 again.
	time.Sleep(200 * time.Millisecond)
	if r := get(t, url, demoAuth); r.status != http.StatusTooManyRequests {
		t.Fatalf("early request: %d", r.status)
	}
	// Another client was told nothing: no violation (but the site budget
	// is still spent).
	get(t, url, basic("alice@example.com", "alice-token"))
	c := s.Counters()
	if c.RetryAfterViolations != 1 || c.RateLimited < 2 {
		t.Fatalf("counters: violations %d, 429s %d", c.RetryAfterViolations, c.RateLimited)
	}
	// /_sim/counters serves the same, /_sim/reset zeroes them.
	j := mustGet(t, s.URL()+"/_sim/counters", "")
	if j.body["retry_after_violations"] != float64(1) {
		t.Errorf("/_sim/counters: %s", j.raw)
	}
	if r := call(t, http.MethodPost, s.URL()+"/_sim/reset", "", nil); r.status != http.StatusNoContent {
		t.Errorf("reset: %d", r.status)
	}
	if c := s.Counters(); c.RetryAfterViolations != 0 || c.Requests != 0 {
		t.Errorf("after reset: %+v", c)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	s := start(t, Demo(), Options{Rate: 1, Burst: 1})
	url := s.URL() + "/wiki/api/v2/spaces"
	ok := 0
	for i := 0; ok < 3 && i < 20; i++ {
		r := get(t, url, demoAuth)
		switch r.status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			secs, _ := strconv.Atoi(r.header.Get("Retry-After"))
			time.Sleep(time.Duration(secs)*time.Second + 50*time.Millisecond)
		default:
			t.Fatalf("status %d", r.status)
		}
	}
	c := s.Counters()
	if ok != 3 || c.RateLimited == 0 || c.RetryAfterViolations != 0 {
		t.Fatalf("ok %d, 429s %d, violations %d", ok, c.RateLimited, c.RetryAfterViolations)
	}
}

// faultPattern makes the same 40 requests one after the other and
// records each outcome (status, or -1 for a dropped connection).
func faultPattern(t *testing.T, seed int64) ([]int, Counters) {
	s := start(t, Demo(), Options{Faults: 0.3, Seed: seed, Hang: 20 * time.Millisecond})
	var out []int
	for i := range 40 {
		url := s.URL() + "/wiki/api/v2/spaces?limit=" + strconv.Itoa(1+i%3)
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", demoAuth)
		res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			out = append(out, -1)
			continue
		}
		res.Body.Close()
		out = append(out, res.StatusCode)
		if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
			time.Sleep(time.Duration(secs) * time.Second) // a polite client
		}
	}
	return out, s.Counters()
}

func TestFaultsRepeatable(t *testing.T) {
	var a, b, c []int
	var ca Counters
	t.Run("runs", func(t *testing.T) {
		for _, run := range []struct {
			name string
			seed int64
			out  *[]int
		}{{"a", 42, &a}, {"b", 42, &b}, {"c", 43, &c}} {
			t.Run(run.name, func(t *testing.T) {
				t.Parallel()
				var cs Counters
				*run.out, cs = faultPattern(t, run.seed)
				if run.name == "a" {
					ca = cs
				}
			})
		}
	})
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatalf("different seeds, same faults: %v", a)
	}
	kinds := map[int]int{}
	for _, st := range a {
		kinds[st]++
	}
	if kinds[200] == 0 || kinds[200] == len(a) || kinds[500]+kinds[502]+kinds[503]+kinds[-1] == 0 {
		t.Fatalf("fault mix %v", kinds)
	}
	var injected int64
	for _, n := range ca.Faults {
		injected += n
	}
	if ca.RetryAfterViolations != 0 {
		t.Errorf("a polite client violated Retry-After %d times", ca.RetryAfterViolations)
	}
	if int(injected) != len(a)-kinds[200] {
		t.Fatalf("counted %d faults (%v), saw %d", injected, ca.Faults, len(a)-kinds[200])
	}
	t.Logf("outcomes %v, counters %v", kinds, ca.Faults)
}

func TestLatency(t *testing.T) {
	s := start(t, Demo(), Options{Latency: 150 * time.Millisecond})
	t0 := time.Now()
	mustGet(t, s.URL()+"/wiki/api/v2/spaces", demoAuth)
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Fatalf("answered after %v, latency 150ms", d)
	}
}

func ExampleStart() {
	s, err := Start(Demo(), Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/wiki/api/v2/spaces?keys=ENG", nil)
	req.SetBasicAuth("demo@example.com", "demo-token")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println(res.Status)
	// Output: 200 OK
}

// TestViolationOnSameConnection: an immediate retry on the connection that
// carried the 429 was sent after it, so it counts whatever the grace.
func TestViolationOnSameConnection(t *testing.T) {
	s := start(t, Demo(), Options{Rate: 0.2, Burst: 1, ViolationGrace: time.Hour})
	url := s.URL() + "/wiki/api/v2/spaces"
	mustGet(t, url, demoAuth)
	if r := get(t, url, demoAuth); r.status != http.StatusTooManyRequests {
		t.Fatalf("second: %d", r.status)
	}
	get(t, url, demoAuth) // keep-alive: same connection
	if c := s.Counters(); c.RetryAfterViolations != 1 {
		t.Fatalf("violations %d, want 1", c.RetryAfterViolations)
	}
}
