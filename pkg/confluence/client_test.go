package confluence

// Tests of the request mechanics against small local HTTP stubs, for what
// the simulator cannot be made to do on demand (a fixed sequence of
// answers, broken JSON, rows without ids). The simulator tests are in
// sim_test.go.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stub serves h and returns a client for it with fast back-off.
func stub(t *testing.T, h http.HandlerFunc, o Options) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if o.Credentials == nil {
		o.Credentials = BasicAuth(srv.URL, "a@example.com", "tok")
	}
	o.BackoffBase = cmp.Or(o.BackoffBase, time.Millisecond)
	o.BackoffMax = cmp.Or(o.BackoffMax, 5*time.Millisecond)
	o.Timeout = cmp.Or(o.Timeout, 30*time.Second)
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New without credentials succeeded")
	}
	if _, err := New(Options{Credentials: BasicAuth("http://x", "a", "b"), PageSize: 251}); err == nil {
		t.Error("New with PageSize 251 succeeded")
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	var calls atomic.Int32
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
		case 2:
			w.WriteHeader(http.StatusBadGateway)
		case 3:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			fmt.Fprint(w, `{"id":"7","title":"ok"}`)
		}
	}, Options{})
	p, err := c.Page(testCtx(t), "7")
	if err != nil || p.Title != "ok" || calls.Load() != 4 {
		t.Fatalf("Page = %+v, %v after %d calls; want ok after 4", p, err, calls.Load())
	}
}

func TestRetriesAreBounded(t *testing.T) {
	var calls atomic.Int32
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}, Options{MaxRetries: 2})
	_, err := c.Page(testCtx(t), "7")
	if !errors.Is(err, ErrRetryable) || calls.Load() != 3 {
		t.Fatalf("err = %v after %d calls; want ErrRetryable after 3", err, calls.Load())
	}
	if !strings.Contains(err.Error(), "get page 7") || !strings.Contains(err.Error(), "/wiki/api/v2/pages/7") {
		t.Errorf("error lacks context: %v", err)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var mu sync.Mutex
	var limitedAt, retriedAt time.Time
	var rateLimits []time.Duration
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if limitedAt.IsZero() {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			limitedAt = time.Now()
			return
		}
		retriedAt = time.Now()
		fmt.Fprint(w, `{"id":"7"}`)
	}, Options{OnRateLimit: func(d time.Duration) {
		mu.Lock()
		rateLimits = append(rateLimits, d)
		mu.Unlock()
	}})
	if _, err := c.Page(testCtx(t), "7"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if gap := retriedAt.Sub(limitedAt); gap < time.Second {
		t.Errorf("retried %v after a Retry-After of 1s", gap)
	}
	if len(rateLimits) != 1 || rateLimits[0] != time.Second {
		t.Errorf("OnRateLimit calls = %v, want [1s]", rateLimits)
	}
	if !c.PausedUntil().After(limitedAt) {
		t.Errorf("client not paused by the 429: paused until %v", c.PausedUntil())
	}
}

func TestRetryAfterBeyondMaxIsReturned(t *testing.T) {
	var calls atomic.Int32
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}, Options{MaxRetryAfter: 10 * time.Second})
	_, err := c.Page(testCtx(t), "7")
	d, ok := RetryAfterOf(err)
	if !errors.Is(err, ErrRateLimited) || !errors.Is(err, ErrRetryable) || !ok || d != 120*time.Second || calls.Load() != 1 {
		t.Fatalf("err = %v, RetryAfterOf = %v %v, calls = %d", err, d, ok, calls.Load())
	}
	if until := time.Until(c.PausedUntil()); until < 100*time.Second {
		t.Errorf("client pause ends in %v, want about 120s", until)
	}
}

func TestPauseUntilHoldsRequests(t *testing.T) {
	var at atomic.Int64
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		at.Store(time.Now().UnixNano())
		fmt.Fprint(w, `{"id":"7"}`)
	}, Options{})
	until := time.Now().Add(300 * time.Millisecond)
	c.PauseUntil(until)
	c.PauseUntil(until.Add(-time.Second)) // earlier: no effect
	if _, err := c.Page(testCtx(t), "7"); err != nil {
		t.Fatal(err)
	}
	if got := time.Unix(0, at.Load()); got.Before(until) {
		t.Errorf("request at %v, before the pause ended at %v", got, until)
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	var calls atomic.Int32
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			<-r.Context().Done() // hang until the client gives up
			return
		}
		fmt.Fprint(w, `{"id":"7"}`)
	}, Options{Timeout: 200 * time.Millisecond})
	if _, err := c.Page(testCtx(t), "7"); err != nil || calls.Load() != 2 {
		t.Fatalf("err = %v after %d calls", err, calls.Load())
	}
}

func TestCanceledContext(t *testing.T) {
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}, Options{BackoffBase: time.Hour, BackoffMax: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Page(ctx, "7")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
}

func TestInvalidAnswersArePermanent(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `<html>oops</html>`, "invalid JSON answer"},
		{"empty", ``, "invalid JSON answer"},
		{"wrong type", `{"results":[{"id":7}]}`, "invalid JSON answer"},
		{"missing id", `{"results":[{"id":"1"},{"title":"no id"}]}`, "result 1 has no id"},
		{"bad next", `{"results":[],"_links":{"next":"api/v2/x"}}`, "unusable next link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				fmt.Fprint(w, tt.body)
			}, Options{})
			var err error
			for _, e := range c.Labels(testCtx(t), "pages", "1") {
				err = e
			}
			if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), tt.want) ||
				!strings.Contains(err.Error(), "/wiki/api/v2/pages/1/labels") || calls.Load() != 1 {
				t.Errorf("err = %v after %d calls; want ErrPermanent %q naming the endpoint, 1 call", err, calls.Load(), tt.want)
			}
		})
	}
}

func TestStatusClasses(t *testing.T) {
	tests := []struct {
		status int
		want   error
	}{{400, ErrPermanent}, {403, ErrUnauthorized}, {404, ErrNotFound}, {401, ErrUnauthorized}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			var calls atomic.Int32
			c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tt.status)
			}, Options{})
			_, err := c.Folder(testCtx(t), "9")
			if !errors.Is(err, tt.want) || calls.Load() != 1 {
				t.Errorf("err = %v after %d calls, want %v after 1", err, calls.Load(), tt.want)
			}
		})
	}
}

// rotating hands out "Bearer tok-N" and moves to N+1 on Invalidate.
type rotating struct {
	base        string
	n           atomic.Int32
	invalidated atomic.Int32
}

func (r *rotating) Credential(context.Context) (Credential, error) {
	return Credential{Authorization: fmt.Sprintf("Bearer tok-%d", r.n.Load()), BaseURL: r.base}, nil
}

func (r *rotating) Invalidate(_ context.Context, c Credential) error {
	r.invalidated.Add(1)
	r.n.CompareAndSwap(int32(mustTok(c)), int32(mustTok(c))+1)
	return nil
}

func mustTok(c Credential) int {
	var n int
	fmt.Sscanf(c.Authorization, "Bearer tok-%d", &n)
	return n
}

func TestRejectedCredentialRefreshedOnce(t *testing.T) {
	tests := []struct {
		name        string
		status      int  // answered to stale tokens
		probeWorks  bool // whether the probe succeeds with a stale token
		valid       int  // the first token number the server accepts
		wantErr     error
		wantInval   int32
		wantPageHit int32
	}{
		{"401 refreshed", 401, false, 1, nil, 1, 2},
		{"401 twice fails", 401, false, 2, ErrUnauthorized, 1, 2},
		{"gateway 404 of an expired token", 404, false, 1, nil, 1, 2},
		{"gateway 403 of an expired token", 403, false, 1, nil, 1, 2},
		{"genuine 404 is not refreshed", 404, true, 1, ErrNotFound, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pageHits atomic.Int32
			creds := &rotating{}
			c, srv := stub(t, func(w http.ResponseWriter, r *http.Request) {
				ok := mustTok(Credential{Authorization: r.Header.Get("Authorization")}) >= tt.valid
				if r.URL.Path == "/ex/confluence/c1/wiki/api/v2/spaces" {
					if ok || tt.probeWorks {
						fmt.Fprint(w, `{"results":[]}`)
					} else {
						w.WriteHeader(tt.status)
					}
					return
				}
				pageHits.Add(1)
				if !ok || tt.wantErr == ErrNotFound {
					w.WriteHeader(tt.status)
					return
				}
				fmt.Fprint(w, `{"id":"7"}`)
			}, Options{Credentials: creds})
			creds.base = srv.URL + "/ex/confluence/c1"
			_, err := c.Page(testCtx(t), "7")
			if !errors.Is(err, tt.wantErr) && !(tt.wantErr == nil && err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if creds.invalidated.Load() != tt.wantInval || pageHits.Load() != tt.wantPageHit {
				t.Errorf("invalidated %d times, page asked %d times; want %d, %d",
					creds.invalidated.Load(), pageHits.Load(), tt.wantInval, tt.wantPageHit)
			}
		})
	}
}

func TestStaticCredentialNotRetriedOn401(t *testing.T) {
	var calls atomic.Int32
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}, Options{})
	if _, err := c.Page(testCtx(t), "7"); !errors.Is(err, ErrUnauthorized) || calls.Load() != 1 {
		t.Fatalf("err = %v after %d calls", err, calls.Load())
	}
}

func TestPaginationStyles(t *testing.T) {
	// v2 cursor through a gateway base, v1 context-relative next, CQL with
	// short and empty pages before the end.
	c, srv := stub(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/ex/confluence/c1/wiki/") {
			t.Errorf("request outside the gateway base: %s", r.URL.Path)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		q := r.URL.Query()
		switch strings.TrimPrefix(r.URL.Path, "/ex/confluence/c1") {
		case "/wiki/api/v2/pages/1/labels":
			switch q.Get("cursor") {
			case "":
				fmt.Fprint(w, `{"results":[{"id":"a"},{"id":"b"}],"_links":{"next":"/wiki/api/v2/pages/1/labels?limit=2&cursor=c2","base":"http://site/wiki"}}`)
			case "c2":
				fmt.Fprint(w, `{"results":[{"id":"c"}],"_links":{"base":"http://site/wiki"}}`)
			}
		case "/wiki/rest/api/group/g1/membersByGroupId":
			switch q.Get("start") {
			case "0":
				fmt.Fprint(w, `{"results":[{"accountId":"u1"},{"accountId":"u2"}],"start":0,"limit":2,"size":2,"_links":{"context":"/wiki","next":"/rest/api/group/g1/membersByGroupId?start=2&limit=2"}}`)
			case "2":
				fmt.Fprint(w, `{"results":[{"accountId":"u3"}],"start":2,"limit":2,"size":1,"_links":{"context":"/wiki"}}`)
			}
		case "/wiki/rest/api/search":
			pages := map[string]string{
				"":   `{"results":[{"content":{"id":"1","type":"page"}}],"_links":{"next":"/rest/api/search?cql=x&cursor=p2"}}`,
				"p2": `{"results":[],"_links":{"next":"/rest/api/search?cql=x&cursor=p3"}}`,
				"p3": `{"results":[{"content":{"id":"2","type":"page"}},{"content":{"id":"3","type":"page"}}],"_links":{}}`,
			}
			fmt.Fprint(w, pages[q.Get("cursor")])
		default:
			t.Errorf("unexpected %s", r.URL)
		}
	}, Options{Credentials: &rotating{}})
	c.creds.(*rotating).base = srv.URL + "/ex/confluence/c1/"
	ctx := testCtx(t)
	var got []string
	for l, err := range c.Labels(ctx, "page", "1") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l.ID)
	}
	for u, err := range c.GroupMembers(ctx, "g1") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u.AccountID)
	}
	for r, err := range c.SearchCQL(ctx, "x") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Content.ID)
	}
	if want := "a b c u1 u2 u3 1 2 3"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

func TestIteratorStopsEarly(t *testing.T) {
	var calls atomic.Int32
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, `{"results":[{"id":"a"},{"id":"b"}],"_links":{"next":"/wiki/api/v2/pages/1/labels?cursor=again`+fmt.Sprint(calls.Load())+`"}}`)
	}, Options{})
	for range c.Labels(testCtx(t), "pages", "1") {
		break
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls after stopping at the first row", calls.Load())
	}
}

func TestPaginationLoopDetected(t *testing.T) {
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"results":[{"id":"a"}],"_links":{"next":"/wiki/api/v2/pages/1/labels?limit=250"}}`)
	}, Options{})
	var err error
	n := 0
	for _, e := range c.Labels(testCtx(t), "pages", "1") {
		n++
		err = e
	}
	if !errors.Is(err, ErrPermanent) || n != 2 {
		t.Errorf("after %d rows err = %v, want ErrPermanent after one page", n, err)
	}
}

func TestAncestorsWalksToTheRoot(t *testing.T) {
	// p5 → [p3 p4] (limit reached), p3 → [f2] (a folder), f2 → [p1], p1 → [].
	answers := map[string]string{
		"/wiki/api/v2/pages/p5/ancestors":   `{"results":[{"id":"p3","type":"page"},{"id":"p4","type":"page"}]}`,
		"/wiki/api/v2/pages/p3/ancestors":   `{"results":[{"id":"f2","type":"folder"}]}`,
		"/wiki/api/v2/folders/f2/ancestors": `{"results":[{"id":"p1","type":"page"}]}`,
		"/wiki/api/v2/pages/p1/ancestors":   `{"results":[]}`,
	}
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		fmt.Fprint(w, a)
	}, Options{})
	got, err := c.Ancestors(testCtx(t), "page", "p5")
	if err != nil {
		t.Fatal(err)
	}
	want := []Ancestor{{"p1", "page"}, {"f2", "folder"}, {"p3", "page"}, {"p4", "page"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Ancestors = %v, want %v", got, want)
	}
}

func TestReadRestrictionsPaged(t *testing.T) {
	var users []string
	for i := range 150 {
		users = append(users, fmt.Sprintf(`{"type":"known","accountId":"u%d"}`, i))
	}
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		start := r.URL.Query().Get("start")
		var us, gs string
		switch start {
		case "0":
			us, gs = strings.Join(users[:100], ","), `{"type":"group","id":"g1","name":"eng"}`
		case "100":
			us = strings.Join(users[100:], ",")
		default:
			t.Errorf("unexpected start %s", start)
		}
		fmt.Fprintf(w, `{"operation":"read","restrictions":{"user":{"results":[%s],"start":%s,"limit":100,"size":0},"group":{"results":[%s],"start":%s,"limit":100,"size":0}}}`, us, start, gs, start)
	}, Options{})
	got, err := c.ReadRestrictions(testCtx(t), "42")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Users) != 150 || len(got.Groups) != 1 || got.Groups[0].Name != "eng" || got.Empty() {
		t.Errorf("got %d users, groups %v", len(got.Users), got.Groups)
	}
}

func TestDownloadRedirectCarriesNoCredentials(t *testing.T) {
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("token") != "signed" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		io.WriteString(w, "the bytes")
	}))
	t.Cleanup(media.Close)
	var hops atomic.Int32
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/wiki/rest/api/content/p1/child/attachment/att9/download" || r.URL.Query().Get("version") != "3" {
			t.Errorf("unexpected %s", r.URL)
		}
		if r.Header.Get("Authorization") == "" {
			t.Error("first hop without Authorization")
		}
		if hops.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // the chain is retried
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "x"})
		http.Redirect(w, r, media.URL+"/file/9?token=signed", http.StatusFound)
	}, Options{})
	body, err := c.DownloadAttachment(testCtx(t), "p1", "att9", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil || string(b) != "the bytes" {
		t.Fatalf("body %q, %v", b, err)
	}
}

func TestDownloadMediaErrorHidesTheSignedURL(t *testing.T) {
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	t.Cleanup(media.Close)
	c, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, media.URL+"/file/9?token=SIGNED-SECRET", http.StatusFound)
	}, Options{MaxRetries: 1})
	_, err := c.DownloadAttachment(testCtx(t), "p1", "att9", 0)
	if !errors.Is(err, ErrRetryable) || strings.Contains(err.Error(), "SIGNED-SECRET") || !strings.Contains(err.Error(), "/file/9") {
		t.Errorf("err = %v", err)
	}
}
