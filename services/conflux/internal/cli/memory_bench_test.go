package cli

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

const mib = 1 << 20

// memoryTenant is BenchmarkMemory's tenant: 50,000 items (× BENCH_SCALE)
// with about 1 GiB of attachments (× BENCH_SCALE), of which two (at
// least one) are single files of 200 MiB.
func memoryTenant(b testing.TB) (*confluencesim.Tenant, int64, int) {
	scale := benchScale()
	pages := scaled(4750, 20)
	const perPage = 0.1
	big := max(1, int(2*scale))
	spread := int64(float64(1024-200*2) * mib * scale) // the rest of 1 GiB
	n := float64(10*pages) * perPage                   // attachments expected
	tn := confluencesim.Generate(23, confluencesim.Size{Spaces: 10, PagesPerSpace: pages, BlogsPerSpace: scaled(250, 2),
		Users: 200, Groups: 20, MaxDepth: 8, RestrictedShare: 0.1, CommentsPerPage: 0.2,
		AttachmentsPerPage: perPage, AttachmentBytes: max(1024, int64(2*float64(spread)/n))})
	// Sizes are drawn at random: scale the current generated ones so that
	// they add up to the rest of 1 GiB (they came to about 40 % of it).
	var drawn int64
	for _, a := range tn.Attachments {
		if a.Status == "current" && a.Data == nil {
			drawn += a.Size
		}
	}
	for _, a := range tn.Attachments {
		if a.Data == nil && drawn > 0 {
			a.Size = max(1, int64(float64(a.Size)*float64(spread)/float64(drawn)))
		}
	}
	var host []*confluencesim.Content
	for _, c := range tn.Content {
		if c.Type == "page" && c.Status == "current" {
			host = append(host, c)
		}
	}
	for i := range big {
		tn.Attachments = append(tn.Attachments, &confluencesim.Attachment{ID: fmt.Sprint("att9000000", i),
			ContainerID: host[i*7%len(host)].ID, Title: fmt.Sprintf("big-%d.bin", i), MediaType: "application/octet-stream",
			FileID: fmt.Sprintf("00000000-0000-4000-8000-%012d", 900+i), Status: "current", Size: 200 * mib, Seed: int64(i + 1),
			Version: 1, CreatedAt: host[0].CreatedAt, UpdatedAt: host[0].CreatedAt, AuthorID: host[0].AuthorID})
	}
	var bytes int64
	for _, a := range tn.Attachments {
		if a.Status == "current" {
			bytes += a.Size
		}
	}
	return tn, bytes, big
}

// BenchmarkMemory runs `conflux run --once` (every stage and the embedded
// NATS server in one process) as a child process against the simulator
// over HTTP, on memoryTenant, and reports the child's peak RSS.
func BenchmarkMemory(b *testing.B) {
	bin := buildConflux(b)
	for b.Loop() {
		tn, attBytes, big := memoryTenant(b)
		sim, err := confluencesim.Start(tn, confluencesim.Options{})
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		cfg := writeConfig(b, "site: "+sim.URL()+`
auth:
  mode: api_token
  email: crawler@example.com
  api_token: crawler-token
content:
  attachments:
    max_size: 256MiB
nats:
  data_dir: `+filepath.Join(dir, "data")+`
sink:
  dir: `+filepath.Join(dir, "out")+`
log:
  level: warn
`)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		cmd := exec.CommandContext(ctx, bin, "run", "--once", "--config", cfg)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		started := time.Now()
		err = cmd.Run()
		took := time.Since(started)
		cancel()
		_ = sim.Close()
		if err != nil {
			b.Fatalf("conflux run --once: %v\n%s", err, tail(out.String(), 4000))
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024 // kilobytes on Linux
		items := 0
		for _, c := range tn.Content {
			if c.Status == "current" {
				items++
			}
		}
		peak := float64(rss) / mib
		b.ReportMetric(peak, "peak-RSS-MiB")
		recordBench(b, "memory", benchRow{Bench: "Memory", Metric: "peak RSS of `conflux run --once` (all stages, embedded NATS)",
			Value: peak, Unit: "MiB", Target: "≤ 256 MiB", Met: met(peak <= 256),
			Note: fmt.Sprintf("%d items, %d attachments, %.0f MiB of attachments incl. %d of 200 MiB, crawl %.0f s, scale %g",
				items, len(tn.Attachments), float64(attBytes)/mib, big, took.Seconds(), benchScale())})
	}
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
