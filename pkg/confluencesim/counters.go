package confluencesim

import (
	"encoding/json"
	"maps"
	"net/http"
	"sync"

	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
)

// Counters is what the simulator saw since it started (or since the last
// reset), also served as JSON at GET /_sim/counters.
type Counters struct {
	// Requests counts every API request (site and gateway), whatever the
	// answer.
	Requests int64 `json:"requests"`
	// Endpoints counts API requests that reached an endpoint, by route
	// pattern, e.g. "GET /wiki/api/v2/spaces/{id}/pages"; gateway calls
	// count under the same pattern. "unmatched" counts the rest.
	Endpoints map[string]int64 `json:"endpoints"`
	// Gateway counts API requests made through /ex/confluence/{cloudId}.
	Gateway int64 `json:"gateway"`
	// RateLimited counts 429 answers.
	RateLimited int64 `json:"rate_limited"`
	// RetryAfterViolations counts requests a client made before the time a
	// Retry-After told it to wait for (429 or 503), outside the grace
	// period.
	RetryAfterViolations int64 `json:"retry_after_violations"`
	// Faults counts injected faults by kind: "500", "502", "503",
	// "503_retry_after", "timeout".
	Faults map[string]int64 `json:"faults"`
	// AuthFailures counts requests refused for their credentials.
	AuthFailures int64 `json:"auth_failures"`
	// Redirects counts download redirects to the media host.
	Redirects int64 `json:"redirects"`
	// Downloads counts media responses that started sending bytes, and
	// DownloadBytes the bytes written.
	Downloads     int64 `json:"downloads"`
	DownloadBytes int64 `json:"download_bytes"`
	// MediaRefusals counts media requests refused (Authorization header
	// present, bad or expired token).
	MediaRefusals int64 `json:"media_refusals"`
	// OAuth holds the authorization server's counters (refreshes, reuses,
	// invalid grants …).
	OAuth oauthsim.Counters `json:"oauth"`
}

type counterSet struct {
	mu sync.Mutex
	c  Counters
}

func newCounterSet() *counterSet {
	return &counterSet{c: Counters{Endpoints: map[string]int64{}, Faults: map[string]int64{}}}
}

func (cs *counterSet) add(f func(c *Counters)) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	f(&cs.c)
}

func (cs *counterSet) snapshot() Counters {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.c
	c.Endpoints = maps.Clone(cs.c.Endpoints)
	c.Faults = maps.Clone(cs.c.Faults)
	return c
}

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters {
	c := s.counters.snapshot()
	c.OAuth = s.oauth.Counters()
	return c
}

// ResetCounters zeroes the counters (not the OAuth server's), forgets the
// Retry-After promises and the fault history, and refills the rate bucket.
func (s *Server) ResetCounters() {
	s.counters.add(func(c *Counters) {
		*c = Counters{Endpoints: map[string]int64{}, Faults: map[string]int64{}}
	})
	s.limits.reset()
}

// simHandler serves GET /_sim/counters and POST|GET /_sim/reset.
func (s *Server) simHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/counters", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Counters())
	})
	reset := func(w http.ResponseWriter, r *http.Request) {
		s.ResetCounters()
		w.WriteHeader(http.StatusNoContent)
	}
	mux.HandleFunc("POST /_sim/reset", reset)
	mux.HandleFunc("GET /_sim/reset", reset)
	return mux
}
