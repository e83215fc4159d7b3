package benchrow

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Calls records, from the simulator's debug log (confluencesim.Options.
// Logger = slog.New(calls)), when each API call was answered (the
// simulator takes the rate token just before it answers), so that a
// benchmark can say where its wall time goes. CONFLUX_TEST_CALLS=1
// switches it on in the benchmarks that use it (CallsWanted).
type Calls struct {
	mu    sync.Mutex
	calls []timedCall
}

type timedCall struct {
	at      time.Time
	pattern string
}

// Enabled, WithAttrs, WithGroup and Handle make Calls a slog.Handler.
func (c *Calls) Enabled(context.Context, slog.Level) bool { return true }
func (c *Calls) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *Calls) WithGroup(string) slog.Handler            { return c }

func (c *Calls) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "api request" {
		return nil
	}
	var pattern string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "pattern" {
			pattern = a.Value.String()
		}
		return true
	})
	c.mu.Lock()
	c.calls = append(c.calls, timedCall{at: r.Time, pattern: pattern})
	c.mu.Unlock()
	return nil
}

// CallsWanted says whether CONFLUX_TEST_CALLS asks for the call timeline.
func CallsWanted() bool { return os.Getenv("CONFLUX_TEST_CALLS") != "" }

// Report writes, relative to started: when the first and the last call
// were answered, the calls per second, and each endpoint's first and last
// call, then the time from the last call to done.
func (c *Calls) Report(w io.Writer, started, done time.Time, rate float64) {
	c.mu.Lock()
	calls := append([]timedCall(nil), c.calls...)
	c.mu.Unlock()
	if len(calls) == 0 {
		return
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].at.Before(calls[j].at) })
	rel := func(t time.Time) float64 { return t.Sub(started).Seconds() }
	first, last := calls[0].at, calls[len(calls)-1].at
	fmt.Fprintf(w, "calls %d: first answered %.2f s, last %.2f s, done %.2f s (%.2f s after the last call)\n",
		len(calls), rel(first), rel(last), rel(done), done.Sub(last).Seconds())
	span := last.Sub(first).Seconds()
	fmt.Fprintf(w, "between first and last: %.2f s for %d calls = %.1f/s\n", span, len(calls), float64(len(calls))/span)
	if rate > 0 {
		fmt.Fprintf(w, "idle tokens at %g/s ≈ %.0f = %.2f s\n", rate, span*rate-float64(len(calls)), span-float64(len(calls))/rate)
	}
	per := map[int]int{}
	kinds := map[int]map[string]int{}
	for _, cl := range calls {
		s := int(rel(cl.at))
		per[s]++
		if kinds[s] == nil {
			kinds[s] = map[string]int{}
		}
		kinds[s][short(cl.pattern)]++
	}
	for s := int(rel(first)); s <= int(rel(last)); s++ {
		fmt.Fprintf(w, "  %3d s %3d %s\n", s, per[s], kindList(kinds[s]))
	}
	type span2 struct {
		n           int
		first, last time.Time
	}
	byPattern := map[string]*span2{}
	for _, cl := range calls {
		p := byPattern[cl.pattern]
		if p == nil {
			p = &span2{first: cl.at}
			byPattern[cl.pattern] = p
		}
		p.n++
		p.last = cl.at
	}
	names := make([]string, 0, len(byPattern))
	for k := range byPattern {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return byPattern[names[i]].first.Before(byPattern[names[j]].first) })
	for _, k := range names {
		p := byPattern[k]
		fmt.Fprintf(w, "  %-60s %5d  %6.2f → %6.2f s\n", k, p.n, rel(p.first), rel(p.last))
	}
}

func short(pattern string) string {
	p := strings.TrimPrefix(pattern, "GET ")
	p = strings.TrimPrefix(p, "POST ")
	p = strings.TrimPrefix(p, "/wiki")
	if len(p) > 28 {
		p = p[:28]
	}
	return p
}

func kindList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s:%d", k, m[k])
	}
	return b.String()
}
