package stage

import (
	"errors"
	"time"

	"github.com/conflux-dev/conflux/proto"
)

// Config describes one stage's consumer and how its runner retries.
type Config struct {
	// Stage names the stage in logs and dead letters (proto.StageFetcher …).
	Stage string
	// Stream and Durable name the durable pull consumer, which
	// bus.EnsureTopology creates (proto.Consumers); all replicas share it.
	Stream  string
	Durable string
	// Concurrency is how many messages are handled at once; it also sizes
	// the pull batch. Default 4.
	Concurrency int
	// MaxDeliver is the delivery after which a failing message is
	// dead-lettered. 0 uses the consumer's MaxDeliver; a value above it is
	// lowered to it (the server stops delivering there).
	MaxDeliver int
	// BackoffBase is the delay before the second delivery after an error;
	// it doubles per delivery up to BackoffMax. Defaults 1s and 30s.
	BackoffBase, BackoffMax time.Duration
	// DeadLetterSubject is where dead letters go. Default
	// proto.For(Site).DeadLetter(Stage).
	DeadLetterSubject string

	// Site is the Confluence site (URL or host); it names the default
	// dead-letter subject.
	Site string
	// ShutdownGrace is how long in-flight handlers may still run once the
	// context of Run is done, before their context is cancelled and their
	// messages handed back. Default 20s.
	ShutdownGrace time.Duration
}

func (c Config) withDefaults() Config {
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 30 * time.Second
	}
	if c.BackoffMax < c.BackoffBase {
		c.BackoffMax = c.BackoffBase
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = 20 * time.Second
	}
	if c.DeadLetterSubject == "" && c.Site != "" && c.Stage != "" {
		c.DeadLetterSubject = proto.For(c.Site).DeadLetter(c.Stage)
	}
	return c
}

// Validate reports a config the runner cannot work with.
func (c Config) Validate() error {
	var errs []error
	if c.Stage == "" {
		errs = append(errs, errors.New("stage is required"))
	}
	if c.Stream == "" {
		errs = append(errs, errors.New("stream is required"))
	}
	if c.Durable == "" {
		errs = append(errs, errors.New("durable is required"))
	}
	if c.DeadLetterSubject == "" && c.Site == "" {
		errs = append(errs, errors.New("dead letter subject or site is required"))
	}
	if c.MaxDeliver < 0 {
		errs = append(errs, errors.New("max deliver must not be negative"))
	}
	return errors.Join(errs...)
}
