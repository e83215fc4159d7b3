package acl

import (
	"fmt"
	"slices"
	"testing"
)

// groupSizes are the member counts of every group in the benchmarks.
var groupSizes = []int{10, 1_000, 10_000}

// benchCase is a space with four view groups of m members each and an
// item under three restricted ancestors (the item's own restriction is
// empty). The ops group passes every restriction and so is listed; the
// other groups are only partly allowed; three staff accounts named on the
// innermost restriction are listed on their own. One account in twenty is
// inactive.
type benchCase struct {
	space        Space
	restrictions []Principals
	dir          Static
	members      int // group members looked at per call, all groups together
	accounts     int // allowed accounts no listed group covers
}

func newBenchCase(m int) benchCase {
	id := func(i int) string { return fmt.Sprintf("u%06d", i) }
	dir := Static{Groups: map[string]Group{}, Accounts: map[string]bool{}}
	for i := range 2 * m {
		dir.Accounts[id(i)] = i%20 != 7
	}
	span := func(gid string, from, to int) {
		g := Group{ID: gid, Name: gid[2:]}
		for i := from; i < to; i++ {
			g.Members = append(g.Members, id(i))
		}
		dir.Groups[gid] = g
	}
	span("g-staff", 0, m)
	span("g-eng", m/2, m/2+m)
	span("g-ops", 3+m/8, 3+m/8+m)
	span("g-contractors", m, 2*m)
	// Staff accounts below ops: allowed, but covered by no listed group.
	solo := []string{id(0), id(1), id(2)}
	return benchCase{
		space: Space{Principals: Principals{
			Users:  []string{id(0), id(2*m - 1)},
			Groups: []string{"g-staff", "g-eng", "g-ops", "g-contractors"},
		}},
		restrictions: []Principals{
			{Groups: []string{"g-staff", "g-eng"}},                                    // top folder
			{Users: []string{id(1), id(m + 3)}, Groups: []string{"g-staff", "g-ops"}}, // page
			{Users: solo, Groups: []string{"g-ops"}},                                  // parent page
			{},                                                                        // the item: unrestricted
		},
		dir:      dir,
		members:  4 * m,
		accounts: len(solo),
	}
}

// check fails b unless r is the answer the case is built for.
func (c benchCase) check(b *testing.B, r Result) {
	b.Helper()
	if r.Public || len(r.Groups) != 1 || r.Groups[0].ID != "g-ops" || len(r.Accounts) != c.accounts {
		b.Fatalf("unexpected result: public %v, %d groups, accounts %v", r.Public, len(r.Groups), r.Accounts)
	}
	want := len(r.Groups[0].Members) + c.accounts
	if len(r.Allowed) != want || !slices.IsSorted(r.Allowed) {
		b.Fatalf("allowed: %d accounts, want %d, sorted", len(r.Allowed), want)
	}
}

// perMember reports the time per group member looked at, which stays flat
// across group sizes when the cost is linear.
func perMember(b *testing.B, members int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(members), "ns/member")
}

// BenchmarkEvaluate measures one whole evaluation: group look-ups, the
// exact allowed set and the compact form.
func BenchmarkEvaluate(b *testing.B) {
	for _, m := range groupSizes {
		b.Run(fmt.Sprintf("members=%d", m), func(b *testing.B) {
			c := newBenchCase(m)
			c.check(b, Evaluate(c.space, c.restrictions, c.dir))
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(c.space, c.restrictions, c.dir)
			}
			perMember(b, c.members)
		})
	}
}

// BenchmarkCompact measures the compaction step alone: the exact allowed
// set is computed and the groups are looked up before the timer starts,
// as Evaluate has done by the time it compacts.
func BenchmarkCompact(b *testing.B) {
	for _, m := range groupSizes {
		b.Run(fmt.Sprintf("members=%d", m), func(b *testing.B) {
			c := newBenchCase(m)
			e := evaluation{dir: c.dir, groups: map[string]Group{}}
			allowed, public := e.allowed(c.space, c.restrictions)
			groups, accounts := e.compact(allowed, c.space, c.restrictions)
			c.check(b, Result{Public: public, Allowed: sorted(allowed), Groups: groups, Accounts: accounts})
			b.ReportAllocs()
			for b.Loop() {
				e.compact(allowed, c.space, c.restrictions)
			}
			perMember(b, c.members)
		})
	}
}
