package confluencesim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// mediaTokenTTL is how long a download redirect stays valid.
const mediaTokenTTL = 15 * time.Minute

type mediaClaim struct {
	AttachmentID string `json:"a"`
	Version      int    `json:"v"`
	Expires      int64  `json:"e"`
}

// mediaMAC is the signature of a media token's payload.
func (s *Server) mediaMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write(payload)
	return m.Sum(nil)
}

func (s *Server) signMedia(c mediaClaim) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b) + "." + base64.RawURLEncoding.EncodeToString(s.mediaMAC(b))
}

func (s *Server) verifyMedia(tok string) (mediaClaim, bool) {
	var c mediaClaim
	payload, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return c, false
	}
	b, err1 := base64.RawURLEncoding.DecodeString(payload)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return c, false
	}
	if !hmac.Equal(got, s.mediaMAC(b)) || json.Unmarshal(b, &c) != nil || time.Now().Unix() > c.Expires {
		return c, false
	}
	return c, true
}

// GET /wiki/rest/api/content/{id}/child/attachment/{attachmentId}/download
// → 302 to the media host with a signed token in the query. Only the
// current version is kept: another version is 404 (stricter than live).
func (q *req) v1Download() reply {
	k := q.ix.content[q.r.PathValue("id")]
	a := q.ix.attachment(q.r.PathValue("attachmentId"))
	if k == nil || a == nil || a.ContainerID != k.ID || !q.ix.canView(q.c, k) {
		return q.notFound("Not Found")
	}
	if v := q.r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q.badRequest("Invalid version: " + v)
		}
		if n != a.Version {
			return q.notFound("Not Found")
		}
	}
	tok := q.s.signMedia(mediaClaim{AttachmentID: a.ID, Version: a.Version, Expires: time.Now().Add(mediaTokenTTL).Unix()})
	loc := q.s.mediaURL + "/file/" + a.FileID + "/binary?" + url.Values{
		"token": {tok}, "client": {"confluence"}, "name": {a.Title}, "dl": {"true"}}.Encode()
	q.s.counters.add(func(c *Counters) { c.Redirects++ })
	return reply{status: http.StatusFound, header: http.Header{"Location": {loc}, "Cache-Control": {"no-cache"}}}
}

// mediaHandler serves the media host: GET /file/{fileId}/binary?token=…
// It refuses (401) any request that carries an Authorization header, and
// streams the bytes without holding the file in memory.
func (s *Server) mediaHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /file/{fileId}/binary", s.mediaFile)
	return mux
}

func (s *Server) mediaFile(w http.ResponseWriter, r *http.Request) {
	refuse := func(status int, msg string) {
		s.counters.add(func(c *Counters) { c.MediaRefusals++ })
		writeJSON(w, status, map[string]any{"error": map[string]any{"code": http.StatusText(status), "title": msg}})
	}
	if r.Header.Get("Authorization") != "" {
		refuse(http.StatusUnauthorized, "Authorization header not accepted: the token is in the URL")
		return
	}
	if !s.sleep(r.Context(), s.opts.Latency) {
		return
	}
	// The key leaves out the query: the token changes with every redirect.
	if s.injectFault(w, r, "MEDIA "+r.URL.Path, "media:"+clientKey(r)) {
		return
	}
	claim, ok := s.verifyMedia(r.URL.Query().Get("token"))
	if !ok {
		refuse(http.StatusUnauthorized, "Invalid or expired token")
		return
	}
	s.mu.RLock()
	a := s.ix.attachments[claim.AttachmentID]
	var src io.Reader
	var size int64
	var title, mt string
	if a != nil && a.Version == claim.Version && a.FileID == r.PathValue("fileId") {
		src, size, title, mt = s.t.Bytes(a), a.Size, a.Title, a.MediaType
		if a.Data != nil {
			size = int64(len(a.Data))
		}
	}
	s.mu.RUnlock()
	if src == nil {
		refuse(http.StatusNotFound, "File not found")
		return
	}
	h := w.Header()
	h.Set("Content-Type", mt)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": title}))
	w.WriteHeader(http.StatusOK)
	s.counters.add(func(c *Counters) { c.Downloads++ })
	n, _ := io.CopyBuffer(w, src, make([]byte, 32<<10))
	s.counters.add(func(c *Counters) { c.DownloadBytes += n })
}
