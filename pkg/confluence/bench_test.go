package confluence_test

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// benchSim starts the simulator on a generated tenant with one space of
// about 1,000 pages and folders, without latency, and a client of the
// crawler account; both stop at cleanup.
func benchSim(b *testing.B) (*confluencesim.Server, *confluence.Client) {
	b.Helper()
	tenant := confluencesim.Generate(7, confluencesim.Size{Spaces: 1, PagesPerSpace: 1000, Users: 20, Groups: 4})
	sim, err := confluencesim.Start(tenant, confluencesim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	c, err := confluence.New(confluence.Options{Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken)})
	if err != nil {
		b.Fatal(err)
	}
	return sim, c
}

func benchCtx(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	b.Cleanup(cancel)
	return ctx
}

// BenchmarkSpacePages lists every page of a space with its storage body
// (pages of 250 items, the client's default). One op is one whole listing;
// items/s is the throughput and allocs/item, B/item what each page costs.
// The simulator runs in the same process, so these figures count its work
// too: the sub-benchmark http_only fetches the same answers with plain
// net/http and discards them, a baseline to subtract from client's to get
// the client's own cost (requests, JSON decoding, iteration).
func BenchmarkSpacePages(b *testing.B) {
	sim, c := benchSim(b)
	ctx := benchCtx(b)
	truth := sim.Tenant()
	space := truth.Spaces[0].ID
	want := 0
	for _, k := range truth.Content {
		if k.SpaceID == space && k.Type == "page" && (k.Status == "current" || k.Status == "archived") {
			want++
		}
	}
	list := func(b *testing.B) (items, bodyBytes int) {
		for p, err := range c.SpacePages(ctx, space, confluence.ListQuery{}) {
			if err != nil {
				b.Fatal(err)
			}
			items++
			bodyBytes += len(p.Body.Storage.Value)
		}
		return items, bodyBytes
	}
	items, bodyBytes := list(b) // also warms the connection
	if items != want || bodyBytes == 0 {
		b.Fatalf("listed %d pages with %d body bytes, want %d pages with bodies", items, bodyBytes, want)
	}
	raw := rawLister(b, sim.URL(), "/wiki/api/v2/spaces/"+space+"/pages?limit=250&body-format=storage")

	for _, bc := range []struct {
		name string
		list func(*testing.B)
	}{
		{"client", func(b *testing.B) { list(b) }},
		{"http_only", func(b *testing.B) { raw(ctx, b) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.list(b) // warm
			b.ReportAllocs()
			before := memStats()
			for b.Loop() {
				bc.list(b)
			}
			after := memStats()
			total := float64(b.N * items)
			b.ReportMetric(total/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/item")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/total, "B/item")
			b.ReportMetric(float64(bodyBytes)/float64(items), "body-B/item")
		})
	}
}

// rawLister returns a function that GETs first and every page after it
// (the Link header's rel="next") as the crawler, discarding the answers,
// on kept-alive connections as the client does.
func rawLister(b *testing.B, site, first string) func(context.Context, *testing.B) {
	hc := &http.Client{}
	b.Cleanup(hc.CloseIdleConnections)
	return func(ctx context.Context, b *testing.B) {
		for target, pages := first, 0; target != ""; pages++ {
			if pages > 100 {
				b.Fatal("more than 100 pages of answers")
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, site+target, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.SetBasicAuth(crawlerEmail, crawlerToken)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("GET %s: %s %v", target, resp.Status, err)
			}
			target = ""
			if l := resp.Header.Get("Link"); strings.HasPrefix(l, "<") && strings.Contains(l, `>; rel="next"`) {
				target = l[1:strings.Index(l, ">")]
			}
		}
	}
}

// BenchmarkDownload streams a 16 MiB attachment (302 to the media host,
// then the bytes) to io.Discard. MB/s is the transfer rate; B/op must stay
// far below the file's size, since the body is never held in memory. The
// simulator's allocations, in the same process, are counted too.
func BenchmarkDownload(b *testing.B) {
	const size = 16 << 20
	sim, c := benchSim(b)
	ctx := benchCtx(b)
	var page string
	for _, k := range sim.Tenant().Content {
		if k.Type == "page" && k.Status == "current" {
			page = k.ID
			break
		}
	}
	att, err := sim.AddAttachment(confluencesim.Attachment{ContainerID: page, Title: "big.bin", Size: size, Seed: 42})
	if err != nil {
		b.Fatal(err)
	}
	download := func() {
		body, err := c.DownloadAttachment(ctx, page, att, 1)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, body)
		if cerr := body.Close(); err == nil {
			err = cerr
		}
		if err != nil || n != size {
			b.Fatalf("downloaded %d of %d bytes: %v", n, size, err)
		}
	}
	download() // warms the connections

	b.SetBytes(size)
	b.ReportAllocs()
	before := memStats()
	for b.Loop() {
		download()
	}
	after := memStats()
	if perOp := (after.TotalAlloc - before.TotalAlloc) / uint64(b.N); perOp > size/8 {
		b.Errorf("%d bytes allocated per %d byte download: the body is being buffered", perOp, size)
	}
}

func memStats() runtime.MemStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}
