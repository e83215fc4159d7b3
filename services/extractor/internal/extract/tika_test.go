package extract

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

// tikaServer replays the shape of Apache Tika's answers to PUT /tika:
// text/plain for a known file, 415 for a media type it has no parser
// for, 422 for a file its parser rejects (encrypted), 500 otherwise.
func tikaServer(t *testing.T) (*httptest.Server, *[]http.Header) {
	var seen []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.URL.Path != "/tika" {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		seen = append(seen, r.Header.Clone())
		body, _ := io.ReadAll(r.Body)
		switch {
		case bytes.HasPrefix(body, []byte("{\\rtf1")):
			w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
			_, _ = io.WriteString(w, "\nMinutes of the meeting\n\nRTF body text\n\n")
		case bytes.HasPrefix(body, []byte("EMPTY")):
			w.WriteHeader(http.StatusNoContent)
		case r.Header.Get("Content-Type") == "application/x-unknown":
			w.WriteHeader(http.StatusUnsupportedMediaType)
		case bytes.HasPrefix(body, []byte("ENCRYPTED")):
			w.WriteHeader(http.StatusUnprocessableEntity)
		default:
			http.Error(w, "<html><body><h1>500 Server Error</h1></body></html>", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestTika(t *testing.T) {
	srv, seen := tikaServer(t)
	for _, tc := range []struct {
		name, file, mediaType, data, status, text string
	}{
		{"rtf", "minutes.rtf", "application/rtf", "{\\rtf1 ...}", proto.ExtractionOK, "Minutes of the meeting\n\nRTF body text"},
		{"no text", "blank.odt", "application/vnd.oasis.opendocument.text", "EMPTY", proto.ExtractionOK, ""},
		{"unknown to tika too", "x.bin", "application/x-unknown", "...", proto.ExtractionUnsupported, ""},
		{"encrypted", "secret.odt", "application/vnd.oasis.opendocument.text", "ENCRYPTED", "failed: tika could not parse the file (status 422: corrupt or encrypted)", ""},
		{"server error", "x.odt", "application/vnd.oasis.opendocument.text", "boom", "failed: tika answered 500 Internal Server Error", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run1(t, Limits{TikaURL: srv.URL + "/"}, tc.file, tc.mediaType, []byte(tc.data))
			if res.Status != tc.status || res.Text != tc.text {
				t.Fatalf("status %q text %q; want %q %q", res.Status, res.Text, tc.status, tc.text)
			}
		})
	}
	h := (*seen)[0]
	if h.Get("Accept") != "text/plain; charset=UTF-8" || h.Get("Content-Type") != "application/rtf" || !strings.Contains(h.Get("Content-Disposition"), "minutes.rtf") {
		t.Errorf("request headers %v", h)
	}
	// The formats read here never go to Tika.
	n := len(*seen)
	if res := run1(t, Limits{TikaURL: srv.URL}, "a.txt", "", []byte("local")); res.Text != "local" || len(*seen) != n {
		t.Errorf("a text file went to tika: %+v", res)
	}
}

func TestTikaOffIsUnsupported(t *testing.T) {
	if res := run1(t, Limits{}, "minutes.rtf", "application/rtf", []byte("{\\rtf1}")); res.Status != proto.ExtractionUnsupported {
		t.Fatalf("status %q", res.Status)
	}
}

func TestTikaUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	res := New(Limits{TikaURL: url}).Extract(context.Background(), File{Name: "a.odt", Size: 3, Body: strings.NewReader("abc")})
	if !strings.HasPrefix(res.Status, "failed: tika: ") {
		t.Fatalf("status %q", res.Status)
	}
}
