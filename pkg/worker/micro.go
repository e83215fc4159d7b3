package worker

import (
	"context"
	"log/slog"
	"regexp"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"

	"github.com/conflux-dev/conflux/pkg/buildinfo"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/proto"
)

// microTimeout bounds the consumer look-ups of one stats or status request.
const microTimeout = 3 * time.Second

// ServiceName is the NATS micro service of a stage: "conflux-<stage>".
func ServiceName(stage string) string { return "conflux-" + stage }

// StatusSubject is the subject of a stage's micro endpoint "status":
// conflux.<site>.status.<stage>.
func StatusSubject(site, stage string) string {
	return "conflux." + proto.For(site).Site() + ".status." + stage
}

// ConsumerStatus is one durable consumer of a stage as JetStream counts it.
type ConsumerStatus struct {
	Stream      string `json:"stream"`
	Consumer    string `json:"consumer"`
	Pending     uint64 `json:"pending"`
	AckPending  int    `json:"ack_pending"`
	Redelivered int    `json:"redelivered"`
	Waiting     int    `json:"waiting"`
	Error       string `json:"error,omitempty"`
}

// StageStatus is what a stage's micro service reports in $SRV.STATS (each
// endpoint's data) and on its "status" endpoint: its consumers, and their
// pending and redelivered counts summed.
type StageStatus struct {
	Stage       string           `json:"stage"`
	Site        string           `json:"site"`
	Pending     uint64           `json:"pending"`
	Redelivered int              `json:"redelivered"`
	Consumers   []ConsumerStatus `json:"consumers"`
}

// ServeMicro registers this process as the NATS micro service
// "conflux-<stage>" of each given stage that consumes a stream (the token
// broker is a micro service of its own): $SRV.PING, $SRV.INFO and
// $SRV.STATS answer from every replica, the stats carrying the stage's
// StageStatus, and the endpoint "status" (StatusSubject, one replica
// answers) replies with it too. The services stop with ctx. A service
// that cannot be added is logged, not fatal: the stage works without it.
func ServeMicro(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, cfg config.Config, stages []string, log *slog.Logger) {
	for _, stage := range stages {
		mine := StageConsumers(cfg, []string{stage})
		if len(mine) == 0 {
			continue
		}
		svc, err := addStageService(nc, js, cfg.Site, stage, mine)
		if err != nil {
			log.Warn("micro service not started", "service", ServiceName(stage), "error", err.Error())
			continue
		}
		context.AfterFunc(ctx, func() { _ = svc.Stop() })
	}
}

func addStageService(nc *nats.Conn, js jetstream.JetStream, site, stage string, mine []proto.Consumer) (micro.Service, error) {
	status := func() StageStatus { return readStageStatus(js, site, stage, mine) }
	svc, err := micro.AddService(nc, micro.Config{
		Name:        ServiceName(stage),
		Version:     microVersion(buildinfo.Version()),
		Description: "conflux stage " + stage + ": its consumers' pending and redelivered counts",
		Metadata:    map[string]string{"site": site, "stage": stage, "build": buildinfo.Version()},
		StatsHandler: func(*micro.Endpoint) any {
			return status()
		},
	})
	if err != nil {
		return nil, err
	}
	err = svc.AddEndpoint("status", micro.HandlerFunc(func(req micro.Request) {
		_ = req.RespondJSON(status())
	}), micro.WithEndpointSubject(StatusSubject(site, stage)))
	if err != nil {
		_ = svc.Stop()
		return nil, err
	}
	return svc, nil
}

// readStageStatus reads each consumer's info from JetStream; a consumer
// that cannot be read is listed with its error.
func readStageStatus(js jetstream.JetStream, site, stage string, mine []proto.Consumer) StageStatus {
	ctx, cancel := context.WithTimeout(context.Background(), microTimeout)
	defer cancel()
	st := StageStatus{Stage: stage, Site: site, Consumers: []ConsumerStatus{}}
	for _, k := range mine {
		cs := ConsumerStatus{Stream: k.Stream, Consumer: k.Config.Durable}
		c, err := js.Consumer(ctx, k.Stream, k.Config.Durable)
		if err != nil {
			cs.Error = err.Error()
			st.Consumers = append(st.Consumers, cs)
			continue
		}
		info := c.CachedInfo()
		cs.Pending, cs.AckPending, cs.Redelivered, cs.Waiting = info.NumPending, info.NumAckPending, info.NumRedelivered, info.NumWaiting
		st.Pending += cs.Pending
		st.Redelivered += cs.Redelivered
		st.Consumers = append(st.Consumers, cs)
	}
	return st
}

// semver is what micro accepts as a version.
var semver = regexp.MustCompile(`^v?((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?)(\s|$)`)

// microVersion turns a build's version ("v1.2.3", or "dev (abc123…) go1.26")
// into the semantic version micro requires: the release's, else 0.0.0-dev.
func microVersion(v string) string {
	if m := semver.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return "0.0.0-dev"
}
