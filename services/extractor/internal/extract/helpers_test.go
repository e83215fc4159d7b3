package extract

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// sample returns the simulator's sample file of a format.
func sample(t testing.TB, ext string) []byte {
	t.Helper()
	for _, f := range confluencesim.SampleFiles("tests") {
		if strings.HasSuffix(f.Name, ext) {
			return f.Data
		}
	}
	t.Fatalf("no sample %s", ext)
	return nil
}

func zipWith(t testing.TB, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encryptedPDF marks a PDF's trailer as encrypted with the standard
// security handler (RC4, 40 bits), with an owner and user entry no
// password opens.
func encryptedPDF(pdf string) []byte {
	enc := "/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O (" + strings.Repeat("o", 32) + ") /U (" + strings.Repeat("u", 32) + ") >> /ID [(0123456789abcdef) (0123456789abcdef)] "
	return []byte(strings.Replace(pdf, "/Root 1 0 R", "/Root 1 0 R "+enc, 1))
}
