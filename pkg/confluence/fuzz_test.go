package confluence

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// pageDecoders decode one list answer as each row type the client reads;
// each returns the next target and an error.
var pageDecoders = []func(*http.Response) (int, string, error){
	decodeAs[Space], decodeAs[Page], decodeAs[BlogPost], decodeAs[Folder], decodeAs[Child],
	decodeAs[Ancestor], decodeAs[Attachment], decodeAs[Label], decodeAs[Comment],
	decodeAs[SpacePermission], decodeAs[User], decodeAs[Group], decodeAs[SearchResult],
}

func decodeAs[T item](resp *http.Response) (int, string, error) {
	pg, err := decodePage[T](get("/wiki/api/v2/fuzz"), resp)
	return len(pg.rows), pg.next, err
}

// simAnswers are real list answers of the simulator (v2 lists with
// bodies, v1 CQL search with expansions, groups, permissions), the seeds
// of FuzzListPage.
func simAnswers(f *testing.F) [][]byte {
	sim, err := confluencesim.Start(confluencesim.Demo(), confluencesim.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer sim.Close()
	client := &http.Client{Timeout: 30 * time.Second}
	var out [][]byte
	for _, target := range []string{
		"/wiki/api/v2/spaces?limit=3",
		"/wiki/api/v2/pages?limit=3&body-format=storage",
		"/wiki/api/v2/blogposts?limit=3&body-format=storage",
		"/wiki/api/v2/attachments?limit=3",
		"/wiki/api/v2/footer-comments?limit=3&body-format=storage",
		"/wiki/rest/api/search?cql=type%3Dpage&limit=3&expand=content.metadata.labels,content.restrictions.read.restrictions.user,content.restrictions.read.restrictions.group,content.ancestors,content.version",
		"/wiki/rest/api/group?limit=3",
	} {
		req, _ := http.NewRequest(http.MethodGet, sim.URL()+target, nil)
		req.SetBasicAuth("demo@example.com", "demo-token")
		resp, err := client.Do(req)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			out = append(out, b)
		}
	}
	return out
}

// FuzzListPage: any answer body and Link header, read as any row type,
// gives rows with ids or an error, never a panic; and a next page, when
// there is one, is always a path under /wiki/ (credentials go to the base
// URL only, whatever host a link names).
func FuzzListPage(f *testing.F) {
	for i, b := range simAnswers(f) {
		f.Add(uint8(i), b, "")
	}
	f.Add(uint8(12), []byte(`{"results":[{"content":{"id":"7","type":"page","version":{"when":"2024-05-12T08:41:09.301+0000"}},"lastModified":"x"}],"start":0,"limit":25,"size":1,"_links":{"next":"/rest/api/search?cursor=abc"}}`), "")
	f.Add(uint8(1), []byte(`{"results":[{"id":"1"}]}`), `<https://evil.example/wiki/api/v2/pages?cursor=x>; rel="next"`)
	f.Add(uint8(0), []byte(`{"results":[],"_links":{"next":"//evil.example/wiki/x"}}`), "")
	f.Fuzz(func(t *testing.T, kind uint8, body []byte, link string) {
		resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		if link != "" {
			resp.Header.Set("Link", link)
		}
		_, next, err := pageDecoders[int(kind)%len(pageDecoders)](resp)
		if err == nil && next != "" && !strings.HasPrefix(next, "/wiki/") {
			t.Fatalf("next target %q is not a path under /wiki/", next)
		}
	})
}

// FuzzSearchResult: a CQL search row with its lenient dates decodes or
// fails, never panics.
func FuzzSearchResult(f *testing.F) {
	f.Add([]byte(`{"content":{"id":"7","type":"page","status":"current","title":"T","space":{"key":"ENG","id":98306},"version":{"number":3,"when":"2024-05-12T08:41:09.301+0000","by":{"accountId":"a"}},"_links":{"webui":"/spaces/ENG/pages/7/T"}},"title":"T","lastModified":"2024-05-12T08:41:09.301Z"}`))
	f.Add([]byte(`{"lastModified":"yesterday","content":{"version":{"when":""}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r SearchResult
		_ = json.Unmarshal(b, &r)
	})
}

// FuzzErrorDetail: the message of any error answer is at most a short
// line, never a panic.
func FuzzErrorDetail(f *testing.F) {
	f.Add([]byte(`{"message":"No field exists with the name: 'space.id'"}`))
	f.Add([]byte(`{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}`))
	f.Add([]byte(`{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}`))
	f.Add([]byte("<html><body>Bad gateway</body></html>"))
	f.Add([]byte("plain text\nsecond line"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d := errorDetail(bytes.NewReader(b)); len(d) > 4<<10 {
			t.Fatalf("detail of %d bytes", len(d))
		}
	})
}
