package extract

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const mib = 1 << 20

// BenchmarkPeakRSS measures the peak resident memory of a process that
// extracts a 100 MiB CSV, a 50 MiB PDF and a 50 MiB XLSX (generated in a
// temporary directory), one file per process, with the default text
// limit (1 MiB, which stops the reader early) and with 16 MiB (which
// reads far into each file). Each file runs in a child process (this test
// binary, TestPeakRSSChild), which reports its own maximum RSS from
// getrusage; the goal is at most 256 MiB.
func BenchmarkPeakRSS(b *testing.B) {
	dir := b.TempDir()
	inputs := []struct {
		name string
		size int64
		make func(path string, size int64) error
	}{
		{"export.csv", 100 * mib, writeCSV},
		{"report.pdf", 50 * mib, writePDF},
		{"sheet.xlsx", 50 * mib, writeXLSX},
	}
	for _, in := range inputs {
		path := filepath.Join(dir, in.name)
		if err := in.make(path, in.size); err != nil {
			b.Fatal(err)
		}
		for _, maxText := range []int{0, 16 * mib} {
			b.Run(fmt.Sprintf("%s/max_text=%dMiB", in.name, max(maxText, 1*mib)/mib), func(b *testing.B) {
				benchChild(b, path, in.name, maxText)
			})
		}
	}
}

// benchChild runs one child and reports its peak RSS.
func benchChild(b *testing.B, path, name string, maxText int) {
	for b.Loop() {
		rss, status, took := child(b, path, maxText)
		b.ReportMetric(float64(rss)/mib, "peak-RSS-MiB")
		b.ReportMetric(took.Seconds(), "s/file")
		fi, _ := os.Stat(path)
		b.Logf("%s (%.1f MiB): %s in %s, peak RSS %.1f MiB", name, float64(fi.Size())/mib, status, took.Round(time.Millisecond), float64(rss)/mib)
		if rss > 256*mib {
			b.Errorf("peak RSS %.1f MiB > 256 MiB", float64(rss)/mib)
		}
	}
}

// child extracts path in a new process and returns its peak RSS in bytes.
func child(b *testing.B, path string, maxText int) (int64, string, time.Duration) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestPeakRSSChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EXTRACT_RSS_FILE="+path, "EXTRACT_RSS_MAX_TEXT="+strconv.Itoa(maxText))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	var rss int64
	var status string
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "maxrss "); ok {
			rss, _ = strconv.ParseInt(v, 10, 64)
		}
		if v, ok := strings.CutPrefix(l, "status "); ok {
			status = v
		}
	}
	if rss == 0 {
		b.Fatalf("child reported no maxrss:\n%s", out)
	}
	return rss, status, took
}

// TestPeakRSSChild is the child of BenchmarkPeakRSS; it does nothing
// unless EXTRACT_RSS_FILE names a file.
func TestPeakRSSChild(t *testing.T) {
	path := os.Getenv("EXTRACT_RSS_FILE")
	if path == "" {
		t.Skip("run by BenchmarkPeakRSS")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	maxText, _ := strconv.Atoi(os.Getenv("EXTRACT_RSS_MAX_TEXT"))
	res := New(Limits{MaxText: maxText, Timeout: 2 * time.Minute, TempDir: t.TempDir()}).Extract(context.Background(),
		File{Name: filepath.Base(path), Size: fi.Size(), Body: bufio.NewReaderSize(f, 128<<10)})
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("status %s (%d bytes of text)\nmaxrss %d\n", res.Status, len(res.Text), ru.Maxrss*1024) // Linux: KiB
}

// words are the vocabulary of the generated files.
var words = strings.Fields("deploy rollback incident review plan budget quarter release notes owner status " +
	"pipeline cluster latency error retry backlog sprint design database migration schema index")

func phrase(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[r.IntN(len(words))]
	}
	return strings.Join(ws, " ")
}

func writeCSV(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for n := int64(0); n < size; {
		k, _ := fmt.Fprintf(w, "%d,\"%s\",%d,%s\n", n, phrase(r, 6), r.IntN(1e6), words[r.IntN(len(words))])
		n += int64(k)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// writePDF writes pages of uncompressed text until size, with the page
// tree in groups of 100 and the cross-reference table at the end.
func writePDF(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := &countingWriter{w: bufio.NewWriterSize(f, 1<<20)}
	r := rand.New(rand.NewPCG(3, 4))
	fmt.Fprint(w, "%PDF-1.4\n")
	var offsets []int64
	obj := func(body string) int {
		offsets = append(offsets, w.n)
		fmt.Fprintf(w, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
		return len(offsets)
	}
	font := obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var pages []int
	const perPage = 48 << 10
	for w.n < size-perPage {
		var c strings.Builder
		c.WriteString("BT /F1 10 Tf 12 TL 40 780 Td\n")
		for c.Len() < perPage {
			fmt.Fprintf(&c, "(%s) Tj T*\n", phrase(r, 8))
		}
		c.WriteString("ET")
		content := obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.String()))
		pages = append(pages, content)
	}
	// Page objects come after the contents; their parents after them.
	groups := (len(pages) + 99) / 100
	root := len(offsets) + len(pages) + groups + 1
	var kidsOfRoot []string
	for g := range groups {
		parent := len(offsets) + len(pages) + g + 1
		_ = parent
		kidsOfRoot = append(kidsOfRoot, fmt.Sprintf("%d 0 R", len(offsets)+len(pages)+g+1))
	}
	firstPage := len(offsets) + 1
	for i, content := range pages {
		parent := firstPage + len(pages) + i/100
		obj(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>", parent, content, font))
	}
	for g := range groups {
		var kids []string
		for i := g * 100; i < min(len(pages), (g+1)*100); i++ {
			kids = append(kids, fmt.Sprintf("%d 0 R", firstPage+i))
		}
		obj(fmt.Sprintf("<< /Type /Pages /Parent %d 0 R /Kids [%s] /Count %d >>", root, strings.Join(kids, " "), len(kids)))
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kidsOfRoot, " "), len(pages)))
	catalog := obj(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", root))
	xref := w.n
	fmt.Fprintf(w, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(w, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(w, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, catalog, xref)
	if err := w.w.(*bufio.Writer).Flush(); err != nil {
		return err
	}
	return f.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeXLSX writes a one-sheet workbook whose worksheet, compressed,
// reaches size: rows of inline strings of random hex (which compress
// poorly) and numbers, streamed into the zip.
func writeXLSX(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := &countingWriter{w: f}
	zw := zip.NewWriter(cw)
	for _, p := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	} {
		w, err := zw.Create(p[0])
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, p[1]); err != nil {
			return err
		}
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	r := rand.New(rand.NewPCG(5, 6))
	raw := make([]byte, 12)
	for row := 1; cw.n < size; row++ {
		fmt.Fprintf(bw, `<row r="%d">`, row)
		for col := range 6 {
			for i := range raw {
				raw[i] = byte(r.Uint32())
			}
			fmt.Fprintf(bw, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+col, row, hex.EncodeToString(raw))
		}
		fmt.Fprintf(bw, `<c r="G%d"><v>%d</v></c></row>`, row, r.IntN(1e9))
		if row%1000 == 0 {
			bw.Flush()
		}
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
