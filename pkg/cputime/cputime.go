// Package cputime reads the CPU time this process has used, for the
// benchmarks that report CPU per document beside wall time (on a shared
// machine the CPU figure is the steadier one).
package cputime
