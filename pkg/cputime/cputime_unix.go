//go:build unix

package cputime

import (
	"syscall"
	"time"
)

// Used returns the user and system CPU time this process has used so far
// (the kernel's work for its system calls included), or 0 when the
// system does not say.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
