package app_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/cputime"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/pgsink/pgtest"
)

// pipelineSize is the tenant of BenchmarkPipeline: about 20,000 documents
// with no latency, so that the stages, not the API, set the pace.
func pipelineSize() confluencesim.Size {
	return confluencesim.Size{Spaces: 8, PagesPerSpace: scaled(2300, 40), BlogsPerSpace: scaled(100, 3),
		Users: 100, Groups: 10, MaxDepth: 6, RestrictedShare: 0.1, CommentsPerPage: 0.2,
		AttachmentsPerPage: 0.02, AttachmentBytes: 2048}
}

// BenchmarkPipeline measures, on one all-in-one process with no API
// latency: documents per second through every stage of a full crawl; the
// raw JetStream rate (publish, then consume and ack) of messages of the
// same size on the same embedded server; and the documents per second of
// a sink rebuild (app.RebuildSink) into a fresh files sink and, with
// CONFLUX_TEST_PG_DSN set, a fresh PostgreSQL database.
func BenchmarkPipeline(b *testing.B) {
	for b.Loop() {
		tn := confluencesim.Generate(17, pipelineSize())
		h := start(b, tn, confluencesim.Options{SearchLag: time.Second, ExpandLabelLimit: 50, ExpandRestrictionLimit: 100}, nil)
		started, cpu0 := time.Now(), cputime.Used()
		res := h.crawl(proto.CrawlFull, false)
		took, cpu := time.Since(started), cputime.Used()-cpu0
		if !res.OK {
			b.Fatalf("crawl failed: %s", strings.Join(res.Failures, "\n"))
		}
		docs := len(h.documents())
		rate := float64(docs) / took.Seconds()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		msgSize := docMessageSize(ctx, b, h.app.JS)
		raw, rawCPU := rawJetStreamRate(ctx, b, h.app.JS, msgSize, scaled(20000, 2000))
		cpuPerDoc := float64(cpu.Microseconds()) / float64(docs)
		b.ReportMetric(rate, "docs/s")
		b.ReportMetric(cpuPerDoc, "cpu-µs/doc")
		b.ReportMetric(raw, "raw-msgs/s")
		b.ReportMetric(rawCPU, "raw-cpu-µs/msg")
		rows := []benchRow{{Bench: "Pipeline overhead", Metric: "full crawl through every stage, no latency", Value: rate, Unit: "docs/s",
			Reference: fmt.Sprintf("raw JetStream publish+consume %.0f msgs/s of %d B (%.0f CPU µs/msg)", raw, msgSize, rawCPU), Ratio: rate / raw,
			Target: "≥ 5,000 docs/s on 2 cores", Met: met(rate >= 5000),
			Note: fmt.Sprintf("%d documents in %.1f s, %.0f CPU µs/doc (process, simulator included: %.0f docs/s if CPU-bound on 2 cores), stage concurrency %s, scale %g",
				docs, took.Seconds(), cpuPerDoc, cpuBound(cpuPerDoc), stageConcurrency(h.cfg.Crawl.Concurrency), benchScale())}}
		rows = append(rows, rebuildRows(ctx, b, h, docs)...)
		cancel()
		recordBench(b, "pipeline", rows...)
	}
}

// cpuBound is the documents per second two fully used cores would reach
// at cpuPerDoc microseconds of CPU a document; 0 when unknown.
func cpuBound(cpuPerDoc float64) float64 {
	if cpuPerDoc <= 0 {
		return 0
	}
	return 2e6 / cpuPerDoc
}

// stageConcurrency lists the messages each consuming stage handles at
// once, as the stage table sets it (0 there takes crawl.concurrency).
func stageConcurrency(crawl int) string {
	var parts []string
	for _, s := range proto.Stages {
		if len(s.Inputs) == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d", s.Name, cmp.Or(s.Concurrency, crawl)))
	}
	return strings.Join(parts, ", ")
}

// docMessageSize is the mean size of a finished-document message.
func docMessageSize(ctx context.Context, b *testing.B, js jetstream.JetStream) int {
	s, err := js.Stream(ctx, proto.StreamDocuments)
	if err != nil {
		b.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if info.State.Msgs == 0 {
		b.Fatal("documents stream is empty")
	}
	return int(info.State.Bytes / info.State.Msgs)
}

// rawJetStreamRate publishes n messages of size bytes to a file stream of
// its own and consumes and acks them with a pull consumer, and returns
// messages per second over both, and the process's CPU microseconds a
// message.
func rawJetStreamRate(ctx context.Context, b *testing.B, js jetstream.JetStream, size, n int) (float64, float64) {
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "BENCH_RAW", Subjects: []string{"benchraw.>"}, Storage: jetstream.FileStorage})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = js.DeleteStream(context.Background(), "BENCH_RAW") }()
	payload := make([]byte, size)
	started, cpu0 := time.Now(), cputime.Used()
	for i := range n {
		if _, err := js.PublishAsync(fmt.Sprintf("benchraw.%d", i%64), payload); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		b.Fatal("raw publish did not complete")
	}
	c, err := s.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "bench", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 1000})
	if err != nil {
		b.Fatal(err)
	}
	for got := 0; got < n; {
		batch, err := c.Fetch(500, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			b.Fatal(err)
		}
		for m := range batch.Messages() {
			if err := m.Ack(); err != nil {
				b.Fatal(err)
			}
			got++
		}
		if err := batch.Error(); err != nil {
			b.Fatal(err)
		}
	}
	took, cpu := time.Since(started), cputime.Used()-cpu0
	return float64(n) / took.Seconds(), float64(cpu.Microseconds()) / float64(n)
}

// rebuildRows rebuilds a fresh files sink and, when PostgreSQL is
// available, a fresh PostgreSQL sink from the documents stream.
func rebuildRows(ctx context.Context, b *testing.B, h *harness, docs int) []benchRow {
	files := config.DefaultSink()
	files.Name, files.Dir = "rebuild-files", filepath.Join(b.TempDir(), "rebuild")
	sinks := []config.Sink{files}
	dsn := os.Getenv("CONFLUX_TEST_PG_DSN")
	if dsn != "" {
		pg := config.DefaultSink()
		pg.Name, pg.Type, pg.DSN = "rebuild-pg", config.SinkPostgres, config.Secret(pgtest.DSN(b))
		sinks = append(sinks, pg)
	}
	h.app.Config.Sink = config.DefaultSink()
	h.app.Config.Sinks = sinks
	var rows []benchRow
	for _, s := range sinks {
		started := time.Now()
		n, err := h.app.RebuildSink(ctx, s.Name)
		if err != nil {
			b.Fatalf("rebuild %s: %v", s.Name, err)
		}
		rate := float64(n) / time.Since(started).Seconds()
		if n < docs {
			b.Errorf("rebuild %s wrote %d documents, the crawl %d", s.Name, n, docs)
		}
		b.ReportMetric(rate, s.Name+"-docs/s")
		rows = append(rows, benchRow{Bench: "Rebuild", Metric: "replay --rebuild-sink into " + s.Type, Value: rate, Unit: "docs/s",
			Note: fmt.Sprintf("%d documents", n)})
	}
	if dsn == "" {
		rows = append(rows, benchRow{Bench: "Rebuild", Metric: "replay --rebuild-sink into postgres", Unit: "docs/s",
			Note: "skipped: CONFLUX_TEST_PG_DSN is not set (scripts/bench.sh sets it through scripts/with-postgres.sh)"})
	}
	return rows
}
