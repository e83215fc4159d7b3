// Package benchrow is what the system benchmarks of `make bench` share:
// the BENCH_SCALE knob and the rows each benchmark writes to
// $BENCH_OUT/<name>.json, which scripts/bench.sh collects into one table.
package benchrow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Scale is BENCH_SCALE (default 1): every benchmark multiplies its tenant
// size by it.
func Scale() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("BENCH_SCALE"), 64); err == nil && v > 0 {
		return v
	}
	return 1
}

// Scaled is n × BENCH_SCALE, at least min.
func Scaled(n, min int) int {
	return max(min, int(float64(n)*Scale()))
}

// Row is one row of the `make bench` table: what was measured, the
// figure, the bound or reference it is compared with and the target.
type Row struct {
	Bench     string  `json:"bench"`
	Metric    string  `json:"metric"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	Reference string  `json:"reference,omitempty"`
	Ratio     float64 `json:"ratio,omitempty"`
	Target    string  `json:"target,omitempty"`
	Met       *bool   `json:"met,omitempty"`
	Note      string  `json:"note,omitempty"`
}

// Met is a *bool for Row.Met.
func Met(ok bool) *bool { return &ok }

// Record writes rows to $BENCH_OUT/<name>.json; without BENCH_OUT it only
// logs them.
func Record(b testing.TB, name string, rows ...Row) {
	b.Helper()
	for _, r := range rows {
		b.Logf("%s: %s = %.4g %s (%s, target %s) %s", r.Bench, r.Metric, r.Value, r.Unit, r.Reference, r.Target, r.Note)
	}
	dir := os.Getenv("BENCH_OUT")
	if dir == "" {
		return
	}
	data, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), data, 0o644); err != nil {
		b.Fatalf("write bench result %s: %v", name, err)
	}
}
