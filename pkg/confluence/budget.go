package confluence

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultNearLimitPause is the default of Options.NearLimitPause.
const DefaultNearLimitPause = 250 * time.Millisecond

// readBudget reads what an answer says about the rate limit: requests left
// (X-RateLimit-Remaining), points left of an OAuth app's quota
// (Beta-RateLimit: "<policy>";r=<remaining>;t=<seconds>, sent past about
// 80 % use) and whether the limit is near (X-RateLimit-NearLimit or its
// X-Beta- form). Near the limit the client pauses for Options.NearLimitPause.
func (c *Client) readBudget(h http.Header) {
	remaining, ok := headerFloat(h, "X-RateLimit-Remaining")
	if !ok {
		remaining, ok = betaRemaining(h.Get("Beta-RateLimit"))
	}
	near := isTrue(h.Get("X-RateLimit-NearLimit")) || isTrue(h.Get("X-Beta-RateLimit-NearLimit"))
	if !ok && !near {
		return
	}
	if !ok {
		remaining = -1
	}
	c.obs.Budget(remaining, near)
	if near && c.nearPause > 0 {
		c.PauseUntil(time.Now().Add(c.nearPause))
	}
}

// headerFloat parses a numeric header.
func headerFloat(h http.Header, name string) (float64, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && f >= 0
}

// betaRemaining reads r=<remaining> of a structured Beta-RateLimit header.
func betaRemaining(v string) (float64, bool) {
	for part := range strings.SplitSeq(v, ";") {
		k, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if found && k == "r" {
			f, err := strconv.ParseFloat(val, 64)
			return f, err == nil && f >= 0
		}
	}
	return 0, false
}

func isTrue(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "true") }
