package confluence

import (
	"strings"
	"time"
)

// Observer watches a client's traffic: the metrics of a worker. Its methods
// must not block.
type Observer interface {
	// Request is called after each attempt with the endpoint template
	// (EndpointOf), the HTTP status (0 when no answer came) and the time
	// the attempt took up to the answer's headers.
	Request(method, endpoint string, status int, took time.Duration)
	// Waited is called with the time a request spent held by a pause
	// (Retry-After, a cluster-wide 429) or by the request-rate limiter.
	Waited(d time.Duration)
	// Budget is called with what an answer's rate-limit headers say is
	// left: remaining requests or points (-1 when not sent) and whether
	// Confluence says the limit is near.
	Budget(remaining float64, near bool)
	// Downloaded is called with the bytes of attachment bodies read.
	Downloaded(n int)
}

// nopObserver is the observer of a client given none.
type nopObserver struct{}

func (nopObserver) Request(string, string, int, time.Duration) {}
func (nopObserver) Waited(time.Duration)                       {}
func (nopObserver) Budget(float64, bool)                       {}
func (nopObserver) Downloaded(int)                             {}

// EndpointOf turns a request path into its template, so that metrics have
// one series per endpoint rather than per item: path segments that are
// ids (digits, account ids with a colon, UUIDs) become {id}, and the
// segment after /space/ (a space key) becomes {key}.
func EndpointOf(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch {
		case i > 0 && segs[i-1] == "space" && s != "":
			segs[i] = "{key}"
		case isID(s):
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// isID reports whether a path segment names one item.
func isID(s string) bool {
	if s == "" {
		return false
	}
	if strings.Contains(s, ":") || (len(s) == 36 && strings.Count(s, "-") == 4) {
		return true
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
