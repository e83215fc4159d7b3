package stage

import "time"

// Outcome is how the runner settled one message.
type Outcome string

// The outcomes of a message, as Observer.Settled reports them.
const (
	// Acked: the handler succeeded.
	Acked Outcome = "acked"
	// Retried: handed back for a later redelivery after an error.
	Retried Outcome = "retried"
	// DeadLettered: sent to the dead-letter stream and terminated.
	DeadLettered Outcome = "dead_lettered"
	// Interrupted: handed back at shutdown.
	Interrupted Outcome = "interrupted"
)

// Observer watches a runner: the metrics of a worker. Its methods must not
// block; they are called from the runner's goroutines.
type Observer interface {
	// Bound is called once the runner holds its consumer and pulls.
	Bound(stage, durable string)
	// Settled is called after each message, with the time from its
	// delivery to its settlement (decoding and handling included).
	Settled(stage string, o Outcome, took time.Duration)
}

// WithObserver reports what the runner does to o; a nil o is ignored.
func WithObserver(o Observer) Option {
	return func(r *Runner) {
		if o != nil {
			r.obs = o
		}
	}
}

// nopObserver is the observer of a runner given none.
type nopObserver struct{}

func (nopObserver) Bound(string, string)                   {}
func (nopObserver) Settled(string, Outcome, time.Duration) {}
