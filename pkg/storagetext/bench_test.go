package storagetext

import (
	"os"
	"strings"
	"testing"
)

// benchPage is a realistic page of about 100 KiB: the runbook fixture
// (layouts, macros, code, tables, task lists, links) repeated.
func benchPage(tb testing.TB) string {
	tb.Helper()
	section, err := os.ReadFile("testdata/runbook.xml")
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for b.Len() < 100<<10 {
		b.Write(section)
	}
	return b.String()
}

// BenchmarkText measures conversion speed on a ~100 KiB page; the MB/s
// column is input bytes per second.
func BenchmarkText(b *testing.B) {
	page := benchPage(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Text(page); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchPageConverts(t *testing.T) {
	page := benchPage(t)
	out, err := Text(page)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "Payments runbook"); n != strings.Count(page, "<h1>Payments runbook</h1>") || n < 20 {
		t.Fatalf("%d headings in the output of a %d-byte page", n, len(page))
	}
}
