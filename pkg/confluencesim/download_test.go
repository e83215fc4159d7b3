package confluencesim

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDownloadRedirect(t *testing.T) {
	tn := Demo()
	s := start(t, tn, Options{})
	deploy := byTitle(t, tn, "Deploy runbook")
	var pdf *Attachment
	for _, a := range tn.Attachments {
		if a.Title == "deploy-checklist.pdf" {
			pdf = a
		}
	}
	path := "/wiki/rest/api/content/" + deploy.ID + "/child/attachment/" + pdf.ID + "/download"
	r := get(t, s.URL()+path+"?version=3", demoAuth)
	if r.status != http.StatusFound {
		t.Fatalf("download: %d %s", r.status, r.raw)
	}
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, s.MediaURL()+"/") || !strings.Contains(loc, "token=") {
		t.Fatalf("Location %q: want the media host with a token", loc)
	}
	// The media host refuses a request that carries Authorization.
	if r := get(t, loc, demoAuth); r.status != http.StatusUnauthorized {
		t.Fatalf("media with Authorization: %d", r.status)
	}
	// Without it: the bytes.
	r = get(t, loc, "")
	want, _ := io.ReadAll(tn.Bytes(pdf))
	if r.status != 200 || !bytes.Equal(r.raw, want) || int64(len(r.raw)) != pdf.Size {
		t.Fatalf("media: %d, %d bytes, want %d", r.status, len(r.raw), pdf.Size)
	}
	if r.header.Get("Content-Type") != "application/pdf" || r.header.Get("Content-Length") != strconv.FormatInt(pdf.Size, 10) {
		t.Errorf("media headers %v", r.header)
	}
	// A tampered token is refused.
	if r := get(t, strings.Replace(loc, "token=", "token=x", 1), ""); r.status != http.StatusUnauthorized {
		t.Errorf("tampered token: %d", r.status)
	}
	// Through the gateway too; bare numeric attachment id accepted.
	r = get(t, s.GatewayURL()+"/wiki/rest/api/content/"+deploy.ID+"/child/attachment/"+strings.TrimPrefix(pdf.ID, "att")+"/download", demoAuth)
	if r.status != http.StatusFound {
		t.Errorf("gateway download: %d", r.status)
	}
	for _, tc := range []struct {
		name, url, auth string
		status          int
	}{
		{"other version", s.URL() + path + "?version=2", demoAuth, 404},
		{"bad version", s.URL() + path + "?version=x", demoAuth, 400},
		{"wrong container", s.URL() + "/wiki/rest/api/content/" + byTitle(t, tn, "Architecture").ID + "/child/attachment/" + pdf.ID + "/download", demoAuth, 404},
		{"not allowed", s.URL() + "/wiki/rest/api/content/" + byTitle(t, tn, "Salaries").ID + "/child/attachment/" + tn.Attachments[len(tn.Attachments)-1].ID + "/download", basic("bob@example.com", "bob-token"), 404},
		{"legacy servlet", s.URL() + "/wiki/download/attachments/" + deploy.ID + "/deploy-checklist.pdf?version=3&api=v2", demoAuth, 401},
	} {
		if r := get(t, tc.url, tc.auth); r.status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, r.status, tc.status)
		}
	}
	c := s.Counters()
	if c.Redirects != 2 || c.Downloads != 1 || c.DownloadBytes != pdf.Size || c.MediaRefusals != 2 {
		t.Errorf("counters: redirects %d downloads %d bytes %d refusals %d", c.Redirects, c.Downloads, c.DownloadBytes, c.MediaRefusals)
	}
}

// TestDownloadStreams serves a 64 MiB generated attachment; the server's
// heap must stay far below the file size while it streams.
func TestDownloadStreams(t *testing.T) {
	tn := Demo()
	page := byTitle(t, tn, "FAQ")
	const size = 64 << 20
	tn.Attachments = append(tn.Attachments, &Attachment{ID: "att999999", ContainerID: page.ID, Title: "big.bin",
		MediaType: "application/octet-stream", FileID: "f-big", Status: "current", Size: size, Seed: 99, Version: 1,
		CreatedAt: time.Unix(1_700_000_000, 0).UTC(), UpdatedAt: time.Unix(1_700_000_000, 0).UTC()})
	s := start(t, tn, Options{})
	r := get(t, s.URL()+"/wiki/rest/api/content/"+page.ID+"/child/attachment/att999999/download", demoAuth)
	if r.status != http.StatusFound {
		t.Fatalf("download: %d", r.status)
	}
	res, err := httpClient.Get(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := res.Body.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if n%(8<<20) < int64(k) {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if n != size {
		t.Fatalf("read %d bytes, want %d", n, size)
	}
	want := sha256.New()
	io.Copy(want, s.Tenant().Bytes(s.Tenant().Attachments[len(tn.Attachments)-1]))
	if !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		t.Fatal("bytes differ from Tenant.Bytes")
	}
	if grow := int64(peak) - int64(before.HeapAlloc); grow > 16<<20 {
		t.Fatalf("heap grew by %d MiB while streaming %d MiB", grow>>20, size>>20)
	}
	t.Logf("heap before %d MiB, peak %d MiB", before.HeapAlloc>>20, peak>>20)
}
