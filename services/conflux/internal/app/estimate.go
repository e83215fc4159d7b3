package app

import (
	"fmt"
	"time"

	"github.com/conflux-dev/conflux/pkg/progress"
)

// Estimate is how far a crawl is and how long the rest will take.
type Estimate struct {
	Spaces     int `json:"spaces"`
	SpacesDone int `json:"spaces_done"`
	// Handled items (written, dropped or failed) of Total. Total is exact
	// once every space's listing is done; before that it adds, for each
	// space still listing, the mean of the spaces listed so far (at least
	// what it listed already).
	Handled int  `json:"handled"`
	Total   int  `json:"total"`
	Exact   bool `json:"total_exact"`
	Failed  int  `json:"failed"`
	Deleted int  `json:"deleted"`
	// Rate is items handled per second since the crawl started.
	Rate float64 `json:"items_per_second"`
	// ETA is the time left at Rate; negative when it cannot be told yet.
	ETA time.Duration `json:"eta_ns"`
}

// EstimateOf reads a crawl's progress at now.
func EstimateOf(st progress.Status, now time.Time) Estimate {
	t := st.Totals()
	e := Estimate{Spaces: len(st.Meta.Spaces), Handled: t.Written + t.Dropped + t.Failed,
		Failed: t.Failed, Deleted: t.Deleted, ETA: -1}
	listedDone, nDone := 0, 0
	for _, s := range st.Spaces {
		if s.Complete() {
			e.SpacesDone++
		}
		if s.ListingDone {
			listedDone += s.Listed
			nDone++
		}
	}
	e.Total = listedDone
	e.Exact = st.Meta.EnumerationDone && nDone == e.Spaces
	mean := 0
	if nDone > 0 {
		mean = listedDone / nDone
	}
	listing := 0
	for _, s := range st.Spaces {
		if !s.ListingDone {
			e.Total += max(s.Listed, mean)
			listing++
		}
	}
	// spaces not reported yet
	e.Total += max(e.Spaces-len(st.Spaces), 0) * mean
	e.Total = max(e.Total, e.Handled)
	if elapsed := now.Sub(st.Meta.Started).Seconds(); elapsed > 0 && !st.Meta.Started.IsZero() {
		e.Rate = float64(e.Handled) / elapsed
	}
	if e.Rate > 0 && (e.Exact || nDone > 0) {
		e.ETA = (time.Duration(float64(e.Total-e.Handled)/e.Rate) * time.Second).Round(time.Second)
	}
	return e
}

// String is the one-line form of the progress bar and status.
func (e Estimate) String() string {
	total := fmt.Sprint(e.Total)
	if !e.Exact {
		total = "~" + total
	}
	eta := "? (listing)"
	if e.ETA >= 0 {
		eta = e.ETA.String()
		if !e.Exact {
			eta = "~" + eta
		}
	}
	return fmt.Sprintf("spaces %d/%d  items %d/%s  failed %d  deleted %d  %.1f items/s  eta %s",
		e.SpacesDone, e.Spaces, e.Handled, total, e.Failed, e.Deleted, e.Rate, eta)
}
