package filesink

import (
	"context"
	"fmt"
	"testing"

	"github.com/conflux-dev/conflux/pkg/cputime"
)

// BenchmarkUpsertBatch writes new documents in batches of 64, as the
// sink's group commit does: per document a temporary file, its write and
// sync, a rename; per batch a sync of the documents folder.
func BenchmarkUpsertBatch(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const batch = 64
	ws := make([]Write, batch)
	n, cpu0 := 0, cputime.Used()
	for b.Loop() {
		for i := range ws {
			d := page(fmt.Sprint(n), "S", 1)
			d.BodyText = fmt.Sprintf("%04000d", n)
			ws[i] = Write{Doc: d}
			n++
		}
		for _, err := range s.UpsertBatch(ctx, ws) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/doc")
	b.ReportMetric(float64((cputime.Used()-cpu0).Nanoseconds())/float64(n), "cpu-ns/doc")
}
