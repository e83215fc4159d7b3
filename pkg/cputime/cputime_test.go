package cputime

import (
	"runtime"
	"testing"
)

// CPU spent spinning shows in Used (on unix; elsewhere it stays 0).
func TestUsedGrowsWithWork(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no rusage here")
	}
	before := Used()
	x := 0
	for i := range 200_000_000 {
		x += i & 3
	}
	if after := Used(); after <= before || x == 0 {
		t.Fatalf("CPU time %v before and %v after a busy loop", before, after)
	}
}
