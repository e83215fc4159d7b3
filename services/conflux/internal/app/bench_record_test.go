package app_test

import "github.com/conflux-dev/conflux/services/conflux/internal/benchrow"

// The `make bench` helpers (package benchrow), under the names the
// benchmarks of this package use.
type benchRow = benchrow.Row

var (
	benchScale  = benchrow.Scale
	scaled      = benchrow.Scaled
	met         = benchrow.Met
	recordBench = benchrow.Record
)
