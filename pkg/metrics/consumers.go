package metrics

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/conflux-dev/conflux/proto"
)

// lagTimeout bounds the consumer look-ups of one scrape.
const lagTimeout = 3 * time.Second

// consumers exports the lag of the stages' durable consumers, read from
// JetStream at each scrape: what waits to be delivered, what is delivered
// and not yet acknowledged, and what was delivered more than once.
type consumers struct {
	js   jetstream.JetStream
	list []proto.Consumer

	pending, ackPending, redelivered, waiting *prometheus.Desc
}

// NewConsumerLag returns a collector of the given consumers' lag (label
// stage and consumer). A consumer that cannot be read is left out of that
// scrape.
func NewConsumerLag(js jetstream.JetStream, list []proto.Consumer) prometheus.Collector {
	labels := []string{"stage", "consumer"}
	return &consumers{js: js, list: list,
		pending: prometheus.NewDesc("conflux_consumer_pending",
			"Messages of the stage's input not yet delivered (the consumer's lag).", labels, nil),
		ackPending: prometheus.NewDesc("conflux_consumer_ack_pending",
			"Messages delivered to the stage and not yet acknowledged (in flight).", labels, nil),
		redelivered: prometheus.NewDesc("conflux_consumer_redelivered",
			"Messages delivered more than once and not yet acknowledged.", labels, nil),
		waiting: prometheus.NewDesc("conflux_consumer_waiting_pulls",
			"Pull requests the stage's replicas have open (0: no replica pulls).", labels, nil),
	}
}

func (c *consumers) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.ackPending
	ch <- c.redelivered
	ch <- c.waiting
}

func (c *consumers) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), lagTimeout)
	defer cancel()
	for _, k := range c.list {
		cons, err := c.js.Consumer(ctx, k.Stream, k.Config.Durable) // reads the info
		if err != nil {
			continue
		}
		info := cons.CachedInfo()
		l := []string{k.Stage, k.Config.Durable}
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(info.NumPending), l...)
		ch <- prometheus.MustNewConstMetric(c.ackPending, prometheus.GaugeValue, float64(info.NumAckPending), l...)
		ch <- prometheus.MustNewConstMetric(c.redelivered, prometheus.GaugeValue, float64(info.NumRedelivered), l...)
		ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(info.NumWaiting), l...)
	}
}
