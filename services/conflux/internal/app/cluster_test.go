package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// A full crawl as TestFullCrawlMatchesTenant's, but the way conflux
// scales: a three-node NATS cluster with replicated streams and buckets,
// and every stage in two replicas, each on its own connection as separate
// processes would be. The tenant is changeSize (every kind of space,
// user, group and restriction; fewer pages): what this test adds is the
// cluster and the replicas, which a few dozen documents already keep
// busy, and each document costs three replicated writes per stream here.
func TestTwoReplicasOfEveryStageOnAThreeNodeCluster(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("cluster test")
	}
	servers := natstest.StartCluster(t, 3)
	sim, err := confluencesim.Start(confluencesim.Generate(41, changeSize), confluencesim.Options{Latency: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	cfg := config.Default()
	cfg.Site = sim.URL()
	cfg.Auth = config.Auth{Mode: "api_token", Email: "crawler@example.com", APIToken: "crawler-token"}
	cfg.NATS.URL = natstest.ClusterURL(servers)
	cfg.NATS.Replicas = 3
	cfg.NATS.InsecureAllowUnauthenticated = true // the test cluster asks no credentials
	cfg.Sink.Dir = filepath.Join(t.TempDir(), "out")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var apps []*app.App
	errc := make(chan error, 2*len(app.Stages))
	for replica := 0; replica < 2; replica++ {
		for _, stage := range app.Stages {
			a, err := openRetrying(ctx, t, cfg)
			if err != nil {
				cancel()
				t.Fatalf("open %s replica %d: %v", stage, replica, err)
			}
			apps = append(apps, a)
			go func() { errc <- a.RunStages(ctx, []string{stage}) }()
		}
	}
	defer func() {
		cancel()
		for range apps {
			if err := <-errc; err != nil {
				t.Errorf("stage: %v", err)
			}
		}
		for _, a := range apps {
			a.Close()
		}
	}()

	h := &harness{t: t, sim: sim, cfg: cfg, app: apps[0]}
	res := h.crawl(proto.CrawlFull, false)
	requireOK(t, res)
	checkSink(t, h, sim.Tenant())
}

// openRetrying opens an app; a fresh cluster may need a moment before it
// accepts replicated streams.
func openRetrying(ctx context.Context, t *testing.T, cfg config.Config) (*app.App, error) {
	var err error
	for i := 0; i < 10; i++ {
		octx, cancel := context.WithTimeout(ctx, 20*time.Second)
		var a *app.App
		a, err = app.Open(octx, cfg, logger(t))
		cancel()
		if err == nil {
			return a, nil
		}
		time.Sleep(time.Second)
	}
	return nil, err
}
