package confluencesim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
)

// Options configure a running simulator. The zero value serves the tenant
// on a random local port with no latency, no rate limit and no faults.
type Options struct {
	// Addr is the site listener's address. Default "127.0.0.1:0".
	Addr string
	// MediaAddr is the media host's address (attachment bytes). Default
	// "127.0.0.1:0".
	MediaAddr string
	// Latency is added to every API and media request. Default 0.
	Latency time.Duration
	// Rate is the site's request budget in requests per second over all
	// callers (a token bucket); over it the API answers 429 with
	// Retry-After. 0 means unlimited.
	Rate float64
	// Burst is the bucket size. Default max(1, Rate).
	Burst int
	// Faults is the share (0..1) of API and media requests that fail with
	// 500, 502, 503 (with Retry-After half of the time) or hang and drop
	// the connection. Which requests fail depends only on Seed, the request
	// (method, path, query) and how often it was made before.
	Faults float64
	// Seed makes faults repeatable.
	Seed int64
	// Hang is how long a "timeout" fault holds the request before it drops
	// the connection. Default 2s.
	Hang time.Duration
	// ViolationGrace: a request that arrives on another connection within
	// this time after a Retry-After was announced to the same client is
	// not counted as a violation (it may have been in flight). On the
	// connection that carried the announcement there is no grace.
	// Default 500ms.
	ViolationGrace time.Duration
	// SearchLag hides from CQL search the content changed within this time
	// (Confluence's search index lags v2). Default 0.
	SearchLag time.Duration
	// ExpandLabelLimit caps the labels a content search inlines for
	// expand=metadata.labels; a longer list is truncated with size ==
	// limit and `_links.next` to GET /rest/api/content/{id}/label.
	// Default 50.
	ExpandLabelLimit int
	// ExpandRestrictionLimit caps the users and the groups a content
	// search inlines for expand=restrictions.{read,update}.restrictions.
	// {user,group}; a longer list is truncated with size == limit and
	// `_links.next` to the byOperation route. Default 100.
	ExpandRestrictionLimit int
	// SpaceShortPages makes v1 /rest/api/space return short pages that are
	// not the end, as measured live; clients must stop on an empty page.
	SpaceShortPages bool
	// OAuth configures the authorization server at /authorize and
	// /oauth/token.
	OAuth oauthsim.Config
	// OAuthAccountID is the account a gateway Bearer token acts as.
	// Default the first of Tenant.Crawlers.
	OAuthAccountID string
	// Logger receives one debug line per request. Default: discard.
	Logger *slog.Logger
}

// Server is a running simulator.
type Server struct {
	opts Options
	log  *slog.Logger

	mu sync.RWMutex // guards t and ix
	t  *Tenant
	ix *index

	oauth    *oauthsim.Server
	api      *http.ServeMux
	patterns []string // every API route, for coverage checks
	limits   *limiter
	counters *counterSet
	secret   []byte

	ln, mediaLn   net.Listener
	srv, mediaSrv *http.Server
	url, mediaURL string
	closing       chan struct{}
	closeOnce     sync.Once
	wg            sync.WaitGroup
}

// Start serves a copy of t: the site, the REST APIs, the OAuth endpoints
// and the gateway on Options.Addr, attachment bytes on Options.MediaAddr.
// Close stops both listeners.
func Start(t *Tenant, o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.MediaAddr == "" {
		o.MediaAddr = "127.0.0.1:0"
	}
	if o.Hang <= 0 {
		o.Hang = 2 * time.Second
	}
	if o.ViolationGrace <= 0 {
		o.ViolationGrace = 500 * time.Millisecond
	}
	if o.ExpandLabelLimit <= 0 {
		o.ExpandLabelLimit = 50
	}
	if o.ExpandRestrictionLimit <= 0 {
		o.ExpandRestrictionLimit = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	tc := t.Clone()
	if o.OAuthAccountID == "" && len(tc.Crawlers) > 0 {
		o.OAuthAccountID = tc.Crawlers[0]
	}
	s := &Server{opts: o, log: o.Logger, t: tc, ix: newIndex(tc), limits: newLimiter(o),
		counters: newCounterSet(), secret: make([]byte, 32), closing: make(chan struct{})}
	if _, err := rand.Read(s.secret); err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	var err error
	if s.ln, err = net.Listen("tcp", o.Addr); err != nil {
		return nil, fmt.Errorf("start simulator: listen %s: %w", o.Addr, err)
	}
	if s.mediaLn, err = net.Listen("tcp", o.MediaAddr); err != nil {
		s.ln.Close()
		return nil, fmt.Errorf("start simulator: listen media %s: %w", o.MediaAddr, err)
	}
	s.url = "http://" + s.ln.Addr().String()
	s.mediaURL = "http://" + s.mediaLn.Addr().String()
	s.oauth = oauthsim.New(o.OAuth, []oauthsim.Site{{CloudID: tc.CloudID, URL: s.url, Name: siteName(tc.Site)}})
	s.api = s.routes()
	s.srv = &http.Server{Handler: s.siteHandler(), ReadHeaderTimeout: 10 * time.Second}
	s.mediaSrv = &http.Server{Handler: s.mediaHandler(), ReadHeaderTimeout: 10 * time.Second}
	s.serve(s.srv, s.ln)
	s.serve(s.mediaSrv, s.mediaLn)
	return s, nil
}

func (s *Server) serve(srv *http.Server, ln net.Listener) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("simulator listener stopped", "err", err)
		}
	}()
}

func siteName(site string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(site, "https://"), "http://")
	if i := strings.IndexByte(h, '.'); i > 0 {
		return h[:i]
	}
	if h == "" {
		return "simulator"
	}
	return h
}

// URL is the site URL, e.g. "http://127.0.0.1:41234" (no trailing slash).
// The REST APIs are under URL()+"/wiki", the gateway under
// URL()+"/ex/confluence/"+CloudID, OAuth at URL()+"/authorize" and
// URL()+"/oauth/token".
func (s *Server) URL() string { return s.url }

// MediaURL is the media host that serves attachment bytes after the
// download redirect.
func (s *Server) MediaURL() string { return s.mediaURL }

// GatewayURL is the base a 3LO client uses: URL()+"/ex/confluence/"+cloudId.
func (s *Server) GatewayURL() string { return s.url + "/ex/confluence/" + s.CloudID() }

// CloudID is the tenant's cloud id.
func (s *Server) CloudID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.t.CloudID
}

// OAuth is the mounted authorization server (for IssueRefreshToken and
// its counters).
func (s *Server) OAuth() *oauthsim.Server { return s.oauth }

// Close stops both listeners, ends hanging requests and waits for the
// servers to return. Requests still streaming are cut.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := errors.Join(s.srv.Shutdown(ctx), s.mediaSrv.Shutdown(ctx))
	if err != nil {
		err = errors.Join(s.srv.Close(), s.mediaSrv.Close())
	}
	s.wg.Wait()
	return err
}

// Tenant returns a deep copy of the current state.
func (s *Server) Tenant() *Tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.t.Clone()
}

// Mutate runs fn on the live tenant under the write lock and then rebuilds
// the look-up indexes. fn must not keep references to the tenant.
func (s *Server) Mutate(fn func(t *Tenant)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.t)
	s.ix = newIndex(s.t)
}

// mutate is Mutate for helpers that can fail; the index is rebuilt either
// way.
func (s *Server) mutate(fn func(t *Tenant, ix *index) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := fn(s.t, s.ix)
	s.ix = newIndex(s.t)
	return err
}
