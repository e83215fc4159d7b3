package stage

import "sync/atomic"

// Stats counts what a runner did since it was created.
type Stats struct {
	// Processed counts messages decoded and settled (acked, retried or
	// dead-lettered), the handler run or not.
	Processed uint64
	// Acked counts messages whose handler succeeded.
	Acked uint64
	// Retried counts messages handed back for a later redelivery after an
	// error (NakWithDelay).
	Retried uint64
	// DeadLettered counts messages sent to the dead-letter stream and
	// terminated: permanent errors, the last delivery, undecodable input.
	DeadLettered uint64
	// Interrupted counts messages handed back (Nak) at shutdown: cut off
	// by the end of the grace period, or never started.
	Interrupted uint64
	// InFlight is the number of messages being handled now.
	InFlight int64
}

type counters struct {
	processed, acked, retried, dead, interrupted atomic.Uint64
	inFlight                                     atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Processed: c.processed.Load(), Acked: c.acked.Load(), Retried: c.retried.Load(),
		DeadLettered: c.dead.Load(), Interrupted: c.interrupted.Load(), InFlight: c.inFlight.Load(),
	}
}
