package extract

import (
	"bytes"
	"context"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/conflux-dev/conflux/proto"
)

// fuzzFormat runs one format's reader on arbitrary bytes: it must return
// a status, valid UTF-8 within the limit, and never panic out of Extract.
func fuzzFormat(f *testing.F, file string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	dir := f.TempDir()
	ex := New(Limits{MaxText: 4096, Timeout: 5 * time.Second, TempDir: dir})
	f.Fuzz(func(t *testing.T, data []byte) {
		res := ex.Extract(context.Background(), File{Name: file, Size: int64(len(data)), Body: bytes.NewReader(data)})
		if res.Status == "" || res.Status == proto.ExtractionUnsupported {
			t.Fatalf("status %q", res.Status)
		}
		if len(res.Text) > 4096 || !utf8.ValidString(res.Text) {
			t.Fatalf("%d bytes of text, valid UTF-8 %v", len(res.Text), utf8.ValidString(res.Text))
		}
		if res.Status != proto.ExtractionOK && res.Status != proto.ExtractionTruncated && res.Text != "" {
			t.Fatalf("status %q with text", res.Status)
		}
	})
}

func FuzzText(f *testing.F) { fuzzFormat(f, "a.txt", []byte("héllo\xff"), sample(f, ".txt")) }
func FuzzCSV(f *testing.F)  { fuzzFormat(f, "a.csv", []byte("a,\"b\"\"c\"\n1"), sample(f, ".csv")) }
func FuzzJSON(f *testing.F) {
	fuzzFormat(f, "a.json", []byte(`{"a":[1,{"b":"c"}]}`), sample(f, ".json"))
}
func FuzzXML(f *testing.F) {
	fuzzFormat(f, "a.xml", []byte(`<a x="1">t&amp;<b/></a>`), sample(f, ".xml"))
}
func FuzzHTML(f *testing.F) {
	fuzzFormat(f, "a.html", []byte(`<p>a<script>x</script>`), sample(f, ".html"))
}
func FuzzDOCX(f *testing.F) { fuzzFormat(f, "a.docx", sample(f, ".docx")) }
func FuzzPPTX(f *testing.F) { fuzzFormat(f, "a.pptx", sample(f, ".pptx")) }
func FuzzXLSX(f *testing.F) { fuzzFormat(f, "a.xlsx", sample(f, ".xlsx")) }
func FuzzPDF(f *testing.F) {
	fuzzFormat(f, "a.pdf", sample(f, ".pdf"), encryptedPDF(string(sample(f, ".pdf"))))
}
