package extract

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/proto"
)

func run1(t *testing.T, l Limits, name, mediaType string, data []byte) Result {
	t.Helper()
	if l.TempDir == "" {
		l.TempDir = t.TempDir()
	}
	return New(l).Extract(context.Background(), File{Name: name, MediaType: mediaType, Size: int64(len(data)), Body: bytes.NewReader(data)})
}

// TestSampleFormats reads the simulator's sample file of every format
// and finds its phrase.
func TestSampleFormats(t *testing.T) {
	for _, f := range confluencesim.SampleFiles("the quarterly rollout") {
		t.Run(f.Name, func(t *testing.T) {
			res := run1(t, Limits{}, f.Name, f.MediaType, f.Data)
			if res.Status != proto.ExtractionOK || !strings.Contains(res.Text, f.Text) {
				t.Fatalf("status %q, text %q; want ok with %q", res.Status, res.Text, f.Text)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		name, file, mediaType, data string
		want, not                   []string
	}{
		{name: "plain text", file: "a.txt", data: "héllo   wörld\r\n\n\n\nnext\tline",
			want: []string{"héllo wörld\n\nnext line"}},
		{name: "invalid utf-8", file: "a.txt", data: "ok \xff\xfe end", want: []string{"ok \uFFFD\uFFFD end"}},
		{name: "by media type", file: "noext", mediaType: "text/plain; charset=utf-8", data: "plain", want: []string{"plain"}},
		{name: "other text type", file: "script", mediaType: "text/x-shellscript", data: "echo hi", want: []string{"echo hi"}},
		{name: "markdown", file: "README.md", data: "# Title\n\nSome **bold** text", want: []string{"# Title", "Some **bold** text"}},
		{name: "csv", file: "a.csv", data: "a,b\n\"x, y\",\"say \"\"hi\"\"\"\nshort\n",
			want: []string{"a b", `x, y say "hi"`, "short"}},
		{name: "csv lazy quotes", file: "a.csv", data: "a \"b\" c,d\n", want: []string{`a "b" c d`}},
		{name: "json values not keys", file: "a.json", data: `{"title":"Plan","n":[1,2.5,{"deep":"value"}],"ok":true,"none":null}`,
			want: []string{"Plan\n1\n2.5\nvalue"}, not: []string{"title", "deep", "true", "null"}},
		{name: "json lines", file: "a.json", data: "{\"a\":\"one\"}\n{\"a\":\"two\"}\n", want: []string{"one\ntwo"}},
		{name: "json keys after nested value", file: "a.json", data: `{"k1":{"x":"v1"},"k2":"v2"}`,
			want: []string{"v1\nv2"}, not: []string{"k2"}},
		{name: "xml", file: "a.xml", data: `<?xml version="1.0"?><!-- c --><r a="attr"><t>one &amp; two</t><t>three&nbsp;four</t></r>`,
			want: []string{"one & two\nthree four"}, not: []string{"attr", "c -->"}},
		{name: "xml latin1", file: "a.xml", data: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>caf\xe9</r>", want: []string{"café"}},
		{name: "html", file: "a.html", data: `<html><head><title>T</title><script>var x="hidden";</script><style>.c{}</style></head>` +
			`<body><h1>Head</h1><p>one &amp; <b>two</b></p><ul><li>a</li><li>b</li></ul></body></html>`,
			want: []string{"T\n\nHead\n\none & two\n\na\n\nb"}, not: []string{"hidden", ".c{}", "<"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run1(t, Limits{}, tc.file, tc.mediaType, []byte(tc.data))
			if res.Status != proto.ExtractionOK {
				t.Fatalf("status %q", res.Status)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("text %q lacks %q", res.Text, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(res.Text, n) {
					t.Errorf("text %q has %q", res.Text, n)
				}
			}
		})
	}
}

// TestBadInput: corrupt, encrypted and unsupported files give a status,
// never a panic or an error.
func TestBadInput(t *testing.T) {
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
	pdf := string(sample(t, ".pdf"))
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"unsupported", "photo.png", []byte("\x89PNG"), proto.ExtractionUnsupported},
		{"corrupt docx", "a.docx", []byte("not a zip"), "failed: docx: not a valid zip archive"},
		{"encrypted docx", "a.docx", ole, "failed: docx: encrypted or legacy Office file"},
		{"encrypted xlsx", "a.xlsx", ole, "failed: xlsx: encrypted or legacy Excel file"},
		{"corrupt pptx", "a.pptx", []byte("PK\x03\x04garbage"), "failed: pptx: not a valid zip archive"},
		{"docx without document", "a.docx", zipWith(t, "other.xml", "<x/>"), "failed: docx: no word/document.xml"},
		{"pptx without slides", "a.pptx", zipWith(t, "ppt/presentation.xml", "<x/>"), "failed: pptx: no slides"},
		{"corrupt pdf", "a.pdf", []byte("%PDF-1.4\ngarbage"), "failed: pdf:"},
		{"truncated pdf", "a.pdf", []byte(pdf[:len(pdf)/2]), "failed: pdf:"},
		{"encrypted pdf", "a.pdf", encryptedPDF(pdf), "failed: pdf:"},
		{"bad json", "a.json", []byte(`{"a": [1, }`), "failed: json:"},
		{"bad xml", "a.xml", []byte(`<a><b></a>`), ""},
		{"bad xml encoding", "a.xml", []byte(`<?xml version="1.0" encoding="EBCDIC"?><a/>`), `failed: xml: xml: opening charset "EBCDIC": encoding "EBCDIC" is not supported`},
		{"unterminated csv quote is read leniently", "a.csv", []byte("a,\"b\nc"), "ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run1(t, Limits{}, tc.file, "", tc.data)
			if tc.want == "" {
				if res.Status == "" {
					t.Fatal("no status")
				}
				t.Logf("status %q", res.Status)
				return
			}
			if !strings.HasPrefix(res.Status, tc.want) || res.Status != proto.ExtractionUnsupported && strings.HasPrefix(tc.want, "failed") && res.Text != "" {
				t.Fatalf("status %q, text %q; want %q", res.Status, res.Text, tc.want)
			}
		})
	}
}

func TestTruncated(t *testing.T) {
	data := strings.Repeat("ünïcode words ", 10_000)
	res := run1(t, Limits{MaxText: 1001}, "a.txt", "", []byte(data))
	if res.Status != proto.ExtractionTruncated || len(res.Text) > 1001 || len(res.Text) < 990 || !strings.HasPrefix(res.Text, "ünïcode") {
		t.Fatalf("status %q, %d bytes", res.Status, len(res.Text))
	}
	if !utf8Valid(res.Text) {
		t.Fatal("cut inside a rune")
	}
	// Exactly at the limit is not truncated.
	res = run1(t, Limits{MaxText: 5}, "a.txt", "", []byte("abcde"))
	if res.Status != proto.ExtractionOK || res.Text != "abcde" {
		t.Fatalf("status %q text %q", res.Status, res.Text)
	}
}

// slowReader never ends, slowly.
type slowReader struct{}

func (slowReader) Read(p []byte) (int, error) {
	time.Sleep(10 * time.Millisecond)
	p[0] = 'x'
	return 1, nil
}

func TestTimeLimit(t *testing.T) {
	for _, name := range []string{"a.txt", "a.pdf"} {
		start := time.Now()
		res := New(Limits{Timeout: 200 * time.Millisecond, TempDir: t.TempDir()}).Extract(context.Background(),
			File{Name: name, Size: 1 << 30, Body: slowReader{}})
		if res.Status != "failed: time limit 200ms exceeded" || res.SourceErr != nil {
			t.Errorf("%s: status %q, source error %v", name, res.Status, res.SourceErr)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: stopped after %s", name, d)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "?") == s }
