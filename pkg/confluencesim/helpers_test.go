package confluencesim

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// start serves t for the test and closes the server at cleanup.
func start(tb testing.TB, t *Tenant, o Options) *Server {
	tb.Helper()
	s, err := Start(t, o)
	if err != nil {
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return s
}

func basic(email, token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+token))
}

var (
	demoAuth    = basic("demo@example.com", "demo-token")
	crawlerAuth = basic("crawler@example.com", "crawler-token")
)

var httpClient = &http.Client{
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// call makes one request; auth "" sends none.
func call(tb testing.TB, method, url, auth string, body io.Reader) resp {
	tb.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		tb.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := httpClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("%s %s: read: %v", method, url, err)
	}
	r := resp{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &r.body)
	}
	return r
}

func get(tb testing.TB, url, auth string) resp { return call(tb, http.MethodGet, url, auth, nil) }

// mustGet fails the test unless the answer is 200.
func mustGet(tb testing.TB, url, auth string) resp {
	tb.Helper()
	r := get(tb, url, auth)
	if r.status != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", url, r.status, r.raw)
	}
	return r
}

func results(r resp) []map[string]any {
	list, _ := r.body["results"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

func links(r resp) map[string]any {
	l, _ := r.body["_links"].(map[string]any)
	return l
}

// walkV2 follows `_links.next` from path (relative to the site, starting
// with /wiki) to the end and returns every item; it checks the v2 link
// rules on every page.
func walkV2(tb testing.TB, s *Server, path, auth string) []map[string]any {
	tb.Helper()
	return walk(tb, s, path, auth, func(r resp, l map[string]any, next string) string {
		if l["base"] != s.URL()+"/wiki" {
			tb.Fatalf("walk %s: _links.base %v", path, l["base"])
		}
		if next != "" && !strings.HasPrefix(next, "/wiki/") {
			tb.Fatalf("walk %s: next %q does not start with /wiki/", path, next)
		}
		if lh := r.header.Get("Link"); next != "" && lh != "" && !strings.Contains(lh, "<"+next+`>; rel="next"`) {
			tb.Fatalf("walk %s: Link %q does not carry next %q", path, lh, next)
		}
		return next
	})
}

// walkV1 follows v1 `_links.next` (context-relative) to the end.
func walkV1(tb testing.TB, s *Server, path, auth string) []map[string]any {
	tb.Helper()
	return walk(tb, s, path, auth, func(_ resp, l map[string]any, next string) string {
		if l["context"] != "/wiki" || l["base"] != s.URL()+"/wiki" {
			tb.Fatalf("walk %s: _links %v", path, l)
		}
		if next == "" {
			return ""
		}
		if strings.HasPrefix(next, "/wiki/") || !strings.HasPrefix(next, "/rest/") {
			tb.Fatalf("walk %s: next %q is not context-relative", path, next)
		}
		return "/wiki" + next
	})
}

// walk gets path and the pages after it to the end and returns every
// item; check sees each answer, its _links and its next link, and returns
// the path of the next page ("" at the end).
func walk(tb testing.TB, s *Server, path, auth string, check func(r resp, l map[string]any, next string) string) []map[string]any {
	tb.Helper()
	var all []map[string]any
	for page := 0; path != ""; page++ {
		if page > 10000 {
			tb.Fatalf("walk %s: no end", path)
		}
		r := mustGet(tb, s.URL()+path, auth)
		all = append(all, results(r)...)
		l := links(r)
		next, _ := l["next"].(string)
		path = check(r, l, next)
	}
	return all
}

func ids(items []map[string]any) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, str(it["id"]))
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// byTitle finds content of the tenant by title.
func byTitle(tb testing.TB, t *Tenant, title string) *Content {
	tb.Helper()
	return find(tb, t.Content, func(c *Content) bool { return c.Title == title }, "content titled %q", title)
}

func spaceByKey(tb testing.TB, t *Tenant, key string) *Space {
	tb.Helper()
	return find(tb, t.Spaces, func(s *Space) bool { return s.Key == key }, "space %q", key)
}

func userByEmail(tb testing.TB, t *Tenant, email string) *User {
	tb.Helper()
	return find(tb, t.Users, func(u *User) bool { return u.Email == email }, "user %q", email)
}

// find is the first of xs that match; the test fails when none does.
func find[T any](tb testing.TB, xs []*T, match func(*T) bool, what string, arg any) *T {
	tb.Helper()
	if i := slices.IndexFunc(xs, match); i >= 0 {
		return xs[i]
	}
	tb.Fatalf("no "+what, arg)
	return nil
}
