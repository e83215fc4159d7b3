//go:build unix

package app_test

import (
	"syscall"
	"time"
)

// cpuTime returns the user and system CPU time this process (the whole
// pipeline, its embedded NATS server and the simulator) has used so far,
// or 0 when the system does not say.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
