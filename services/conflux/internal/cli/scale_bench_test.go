package cli

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
	"github.com/conflux-dev/conflux/services/conflux/internal/benchrow"
)

// BenchmarkScaleOut's setting. The work it scales is the fetcher's:
// listing a space is a few calls one after another (the bulk search, the
// pages, the blog posts), each of which waits scaleLatency on the site
// (no site limit), and each fetcher process lists scaleFetcherConcurrency
// spaces at once (crawl.fetcher_concurrency). The tenant has many small
// spaces, so that the listing, not the documents' CPU in the other
// stages, is the crawl's time with one fetcher; every other stage runs
// one process. scaleLatency is that of a v2 list call with bodies on a
// real site (a few hundred milliseconds). What does not scale with the
// fetchers is the crawl's start (the enumerator lists the spaces and reads
// the site-wide comment and attachment lists: ~2.8 s) and its end (the
// last documents through the other stages, completion noticed: 1-2 s);
// 128 spaces make that ~4 % of the one-fetcher crawl, which bounds what
// 4 fetchers can reach to about 3.5 ×. CONFLUX_TEST_CALLS=1 prints when
// each kind of call was made.
const (
	scaleLatency            = 250 * time.Millisecond
	scaleFetcherConcurrency = 1
)

// BenchmarkScaleOut crawls the same latency-bound tenant with 1, 2 and 4
// `conflux worker fetcher` processes on a NATS server, every other stage
// in one process each, and reports the speed-ups over one fetcher.
func BenchmarkScaleOut(b *testing.B) {
	bin := buildConflux(b)
	size := confluencesim.Size{Spaces: scaled(128, 8), PagesPerSpace: 10, BlogsPerSpace: 1, Users: 20, Groups: 5,
		MaxDepth: 3, RestrictedShare: 0.1, CommentsPerPage: 0.2}
	for b.Loop() {
		tn := confluencesim.Generate(29, size)
		took := map[int]time.Duration{}
		for _, n := range []int{1, 2, 4} {
			took[n] = crawlWithFetchers(b, bin, tn, n)
		}
		s2, s4 := took[1].Seconds()/took[2].Seconds(), took[1].Seconds()/took[4].Seconds()
		b.ReportMetric(s2, "speedup-2")
		b.ReportMetric(s4, "speedup-4")
		note := fmt.Sprintf("%d spaces, %d items, %s per call, no site limit, each fetcher process lists %d space(s) at once (crawl.fetcher_concurrency), every other stage one process; crawl took %.1f / %.1f / %.1f s with 1 / 2 / 4 fetchers; scale %g",
			len(tn.Spaces), len(tn.Content), scaleLatency, scaleFetcherConcurrency, took[1].Seconds(), took[2].Seconds(), took[4].Seconds(), benchScale())
		recordBench(b, "scale-out",
			benchRow{Bench: "Horizontal scale", Metric: "2 fetcher processes, speed-up over 1", Value: s2, Unit: "×",
				Target: "≥ 1.8×", Met: met(s2 >= 1.8), Note: note},
			benchRow{Bench: "Horizontal scale", Metric: "4 fetcher processes, speed-up over 1", Value: s4, Unit: "×",
				Target: "≥ 3.4×", Met: met(s4 >= 3.4)})
	}
}

// crawlWithFetchers starts a fresh NATS server, n fetcher processes and
// one process of every other stage, and times `conflux crawl --wait`.
func crawlWithFetchers(b *testing.B, bin string, tn *confluencesim.Tenant, n int) time.Duration {
	calls := &benchrow.Calls{}
	simOpts := confluencesim.Options{Latency: scaleLatency}
	if benchrow.CallsWanted() {
		simOpts.Logger = slog.New(calls)
	}
	sim, err := confluencesim.Start(tn, simOpts)
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	srv := natstest.Start(b)
	defer natstest.Shutdown(srv)
	out := filepath.Join(b.TempDir(), "out")
	cfg := writeConfig(b, "site: "+sim.URL()+`
auth:
  mode: api_token
  email: crawler@example.com
  api_token: crawler-token
nats:
  url: `+srv.ClientURL()+`
  insecure_allow_unauthenticated: true # the bench's NATS server asks no credentials
sink:
  dir: `+out+`
crawl:
  fetcher_concurrency: `+strconv.Itoa(scaleFetcherConcurrency)+`
log:
  level: warn
`)
	var workers []*exec.Cmd
	var logs []*bytes.Buffer
	defer func() {
		for i, w := range workers {
			_ = w.Process.Signal(syscall.SIGTERM)
			if err := w.Wait(); err != nil {
				b.Logf("worker %d (%s): %v\n%s", i, w.Args[2], err, tail(logs[i].String(), 2000))
			}
		}
	}()
	for _, stage := range app.Stages {
		count := 1
		if stage == proto.StageFetcher {
			count = n
		}
		for range count {
			var buf bytes.Buffer
			cmd := exec.Command(bin, "worker", stage, "--config", cfg)
			cmd.Stdout, cmd.Stderr = &buf, &buf
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			workers, logs = append(workers, cmd), append(logs, &buf)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	waitPulling(ctx, b, srv, sim.URL(), n)
	crawl := exec.CommandContext(ctx, bin, "crawl", "--wait", "--config", cfg)
	var log bytes.Buffer
	crawl.Stdout, crawl.Stderr = &log, &log
	started := time.Now()
	if err := crawl.Run(); err != nil {
		b.Fatalf("conflux crawl --wait with %d fetchers: %v\n%s", n, err, log.String())
	}
	took := time.Since(started)
	if benchrow.CallsWanted() {
		fmt.Fprintf(os.Stderr, "%d fetchers:\n", n)
		calls.Report(os.Stderr, started, started.Add(took), 0)
		lastWrite(out, started)
	}
	if docs, _ := os.ReadDir(filepath.Join(out, "documents")); len(docs) == 0 {
		b.Fatalf("crawl with %d fetchers wrote no documents", n)
	}
	return took
}

// waitPulling waits until every stage's consumer has a worker pulling
// from it, and the fetchers' consumer n, so that the timing starts with
// every process ready.
func waitPulling(ctx context.Context, b *testing.B, srv *server.Server, site string, n int) {
	_, js := natstest.Connect(b, srv)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		ready := true
		for _, c := range proto.Consumers(site, proto.Options{}) {
			cons, err := js.Consumer(ctx, c.Stream, c.Config.Durable)
			if err != nil {
				ready = false
				break
			}
			info, err := cons.Info(ctx)
			want := 1
			if c.Stage == proto.StageFetcher {
				want = n
			}
			if err != nil || info.NumWaiting < want {
				ready = false
			}
		}
		if ready {
			return
		}
		select {
		case <-ctx.Done():
			b.Fatalf("workers not pulling after a minute")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lastWrite prints when the last document file was written, relative to
// started.
func lastWrite(out string, started time.Time) {
	var last time.Time
	n := 0
	_ = filepath.WalkDir(out, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			n++
			if info.ModTime().After(last) {
				last = info.ModTime()
			}
		}
		return nil
	})
	fmt.Fprintf(os.Stderr, "%d files; the last written %.2f s after the start\n", n, last.Sub(started).Seconds())
}
