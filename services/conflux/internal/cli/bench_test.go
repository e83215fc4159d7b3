package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// benchScale is BENCH_SCALE (default 1): every benchmark multiplies its
// tenant size by it.
func benchScale() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("BENCH_SCALE"), 64); err == nil && v > 0 {
		return v
	}
	return 1
}

// scaled is n × BENCH_SCALE, at least min.
func scaled(n, min int) int {
	return max(min, int(float64(n)*benchScale()))
}

// benchRow is one row of the `make bench` table (the same shape as in
// the app package's benchmarks; scripts/bench.sh prints them).
type benchRow struct {
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

func met(ok bool) *bool { return &ok }

// recordBench writes rows to $BENCH_OUT/<name>.json; without BENCH_OUT
// it only logs them.
func recordBench(b testing.TB, name string, rows ...benchRow) {
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

// buildConflux builds the conflux binary into a temporary directory.
func buildConflux(b testing.TB) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "conflux")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/conflux").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// benchConfig writes a configuration file for a benchmark.
func benchConfig(b testing.TB, name, text string) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}
