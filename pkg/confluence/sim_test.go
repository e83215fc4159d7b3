package confluence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/confluencesim/oauthsim"
)

// The crawler account of generated tenants.
const (
	crawlerEmail = "crawler@example.com"
	crawlerToken = "crawler-token"
)

func startSim(t *testing.T, tenant *confluencesim.Tenant, o confluencesim.Options) *confluencesim.Server {
	t.Helper()
	sim, err := confluencesim.Start(tenant, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

func newClient(t *testing.T, o confluence.Options) *confluence.Client {
	t.Helper()
	c, err := confluence.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// generated is a tenant big enough that every list spans several pages of 7.
func generated() *confluencesim.Tenant {
	return confluencesim.Generate(11, confluencesim.Size{Spaces: 4, PagesPerSpace: 30, BlogsPerSpace: 4, Users: 24,
		Groups: 4, CommentsPerPage: 1.5, AttachmentsPerPage: 1.5, RestrictedShare: 0.2})
}

// collect drains an iterator; it fails the test on an error or a repeated id.
func collect[T any](t *testing.T, what string, seq iter.Seq2[T, error], id func(T) string) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	for v, err := range seq {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		k := id(v)
		if seen[k] {
			t.Errorf("%s: %s listed twice", what, k)
		}
		seen[k] = true
		ids = append(ids, k)
	}
	return ids
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	g, w = slices.Compact(g), slices.Compact(w)
	if !slices.Equal(g, w) || len(got) != len(want) {
		t.Errorf("%s: got %d %v\nwant %d %v", what, len(got), g, len(want), w)
	}
}

// crawl lists everything the client offers into a canonical map, to
// compare a crawl under faults with a clean one. workers > 1 crawls the
// spaces concurrently.
func crawl(ctx context.Context, c *confluence.Client, truth *confluencesim.Tenant, workers int) (map[string]string, error) {
	out := map[string]string{}
	var mu sync.Mutex
	put := func(k string, v any) {
		b, _ := json.Marshal(v)
		mu.Lock()
		out[k] = string(b)
		mu.Unlock()
	}
	ids := func(seq iter.Seq2[string, error]) ([]string, error) {
		var l []string
		for id, err := range seq {
			if err != nil {
				return nil, err
			}
			l = append(l, id)
		}
		return l, nil
	}
	var spaces []confluence.Space
	for s, err := range c.Spaces(ctx, confluence.SpaceQuery{}) {
		if err != nil {
			return nil, err
		}
		spaces = append(spaces, s)
	}
	put("spaces", spaces)
	sem := make(chan struct{}, workers)
	errs := make(chan error, len(spaces))
	var wg sync.WaitGroup
	for _, s := range spaces {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- crawlSpace(ctx, c, truth, s.ID, put, ids)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, g := range truth.Groups {
		m, err := ids(mapSeq(c.GroupMembers(ctx, g.ID), func(u confluence.User) string { return u.AccountID }))
		if err != nil {
			return nil, err
		}
		put("members:"+g.ID, m)
	}
	return out, nil
}

func crawlSpace(ctx context.Context, c *confluence.Client, truth *confluencesim.Tenant, spaceID string,
	put func(string, any), ids func(iter.Seq2[string, error]) ([]string, error)) error {
	var pages []confluence.Page
	for p, err := range c.SpacePages(ctx, spaceID, confluence.ListQuery{}) {
		if err != nil {
			return err
		}
		pages = append(pages, p)
	}
	put("pages:"+spaceID, pages)
	var blogs []confluence.BlogPost
	for b, err := range c.SpaceBlogPosts(ctx, spaceID, confluence.ListQuery{}) {
		if err != nil {
			return err
		}
		blogs = append(blogs, b)
	}
	put("blogs:"+spaceID, blogs)
	perms, err := ids(mapSeq(c.SpacePermissions(ctx, spaceID), func(p confluence.SpacePermission) string { return p.ID }))
	if err != nil {
		return err
	}
	put("perms:"+spaceID, perms)
	for _, p := range pages {
		if err := crawlContainer(ctx, c, "pages", p.ID, put, ids); err != nil {
			return err
		}
		kids, err := ids(mapSeq(c.DirectChildren(ctx, "pages", p.ID), func(k confluence.Child) string { return k.Type + ":" + k.ID }))
		if err != nil {
			return err
		}
		put("children:"+p.ID, kids)
		anc, err := c.Ancestors(ctx, "pages", p.ID)
		if err != nil {
			return err
		}
		put("ancestors:"+p.ID, anc)
		r, err := c.ReadRestrictions(ctx, p.ID)
		if err != nil {
			return err
		}
		put("restriction:"+p.ID, r)
	}
	for _, b := range blogs {
		if err := crawlContainer(ctx, c, "blogposts", b.ID, put, ids); err != nil {
			return err
		}
	}
	for _, f := range truth.Content {
		if f.SpaceID == spaceID && f.Type == "folder" && (f.Status == "current" || f.Status == "archived") {
			kids, err := ids(mapSeq(c.DirectChildren(ctx, "folders", f.ID), func(k confluence.Child) string { return k.Type + ":" + k.ID }))
			if err != nil {
				return err
			}
			put("children:"+f.ID, kids)
		}
	}
	return nil
}

func crawlContainer(ctx context.Context, c *confluence.Client, kind, id string,
	put func(string, any), ids func(iter.Seq2[string, error]) ([]string, error)) error {
	atts, err := ids(mapSeq(c.Attachments(ctx, kind, id), func(a confluence.Attachment) string { return a.ID + "@" + a.ContainerID() }))
	if err != nil {
		return err
	}
	put("attachments:"+id, atts)
	labels, err := ids(mapSeq(c.Labels(ctx, kind, id), func(l confluence.Label) string { return l.Name }))
	if err != nil {
		return err
	}
	put("labels:"+id, labels)
	var comments []confluence.Comment
	for cm, err := range c.Comments(ctx, kind, id) {
		if err != nil {
			return err
		}
		comments = append(comments, cm)
	}
	put("comments:"+id, comments)
	return nil
}

func mapSeq[T any](seq iter.Seq2[T, error], f func(T) string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for v, err := range seq {
			if err != nil {
				yield("", err)
				return
			}
			if !yield(f(v), nil) {
				return
			}
		}
	}
}

func TestSimIteratorsReturnEveryItemOnce(t *testing.T) {
	sim := startSim(t, generated(), confluencesim.Options{})
	truth := sim.Tenant()
	c := newClient(t, confluence.Options{PageSize: 7,
		Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken)})
	ctx := timeout(t, 90*time.Second)

	spaceIDs := collect(t, "spaces", c.Spaces(ctx, confluence.SpaceQuery{}), func(s confluence.Space) string { return s.ID })
	sameSet(t, "spaces", spaceIDs, ids(truth.Spaces, func(s *confluencesim.Space) (string, bool) { return s.ID, true }))

	listed := func(c *confluencesim.Content) bool { return c.Status == "current" || c.Status == "archived" }
	for _, s := range truth.Spaces {
		pages := collect(t, "pages", c.SpacePages(ctx, s.ID, confluence.ListQuery{}), func(p confluence.Page) string {
			if p.SpaceID != s.ID || p.Version.Number == 0 || p.CreatedAt.IsZero() || p.Links.WebUI == "" {
				t.Errorf("page %s decoded incompletely: %+v", p.ID, p)
			}
			return p.ID
		})
		sameSet(t, "pages of "+s.Key, pages, ids(truth.Content, func(c *confluencesim.Content) (string, bool) {
			return c.ID, c.SpaceID == s.ID && c.Type == "page" && listed(c)
		}))
		blogs := collect(t, "blogs", c.SpaceBlogPosts(ctx, s.ID, confluence.ListQuery{}), func(b confluence.BlogPost) string { return b.ID })
		sameSet(t, "blog posts of "+s.Key, blogs, ids(truth.Content, func(c *confluencesim.Content) (string, bool) {
			return c.ID, c.SpaceID == s.ID && c.Type == "blogpost" && c.Status == "current"
		}))
		perms := collect(t, "permissions", c.SpacePermissions(ctx, s.ID), func(p confluence.SpacePermission) string {
			return p.ID + "|" + p.Principal.Type + "|" + p.Principal.ID + "|" + p.Operation.Key + "|" + p.Operation.TargetType
		})
		sameSet(t, "permissions of "+s.Key, perms, ids(s.Permissions, func(p confluencesim.SpacePermission) (string, bool) {
			return p.ID + "|" + p.PrincipalType + "|" + p.PrincipalID + "|" + p.Key + "|" + p.TargetType, true
		}))
	}

	var nChildren, nAtts, nLabels, nComments, nRestricted, nAncestors int
	for _, k := range truth.Content {
		if !listed(k) {
			continue
		}
		kind := k.Type + "s"
		if k.Type == "page" || k.Type == "folder" {
			kids := collect(t, "children", c.DirectChildren(ctx, kind, k.ID), func(ch confluence.Child) string { return ch.Type + ":" + ch.ID })
			want := ids(truth.Content, func(c *confluencesim.Content) (string, bool) {
				return c.Type + ":" + c.ID, c.ParentID == k.ID && listed(c) && (c.Type == "page" || c.Type == "folder")
			})
			sameSet(t, "children of "+k.ID, kids, want)
			nChildren += len(kids)

			anc, err := c.Ancestors(ctx, kind, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(anc), fmt.Sprint(truthAncestors(truth, k)); got != want {
				t.Errorf("ancestors of %s = %s, want %s", k.ID, got, want)
			}
			nAncestors += len(anc)
		}
		if k.Type == "page" || k.Type == "blogpost" {
			atts := collect(t, "attachments", c.Attachments(ctx, kind, k.ID), func(a confluence.Attachment) string {
				if a.ContainerID() != k.ID || a.FileSize <= 0 {
					t.Errorf("attachment %s: container %q size %d", a.ID, a.ContainerID(), a.FileSize)
				}
				return a.ID
			})
			sameSet(t, "attachments of "+k.ID, atts, ids(truth.Attachments, func(a *confluencesim.Attachment) (string, bool) {
				return a.ID, a.ContainerID == k.ID && (a.Status == "current" || a.Status == "archived")
			}))
			nAtts += len(atts)
			labels := collect(t, "labels", c.Labels(ctx, kind, k.ID), func(l confluence.Label) string { return l.Name })
			sameSet(t, "labels of "+k.ID, labels, k.Labels)
			nLabels += len(labels)

			comments := collect(t, "comments", c.Comments(ctx, kind, k.ID), func(cm confluence.Comment) string {
				tc := find(truth, cm.ID)
				if tc == nil || cm.Kind != tc.CommentKind || cm.ParentCommentID != tc.ParentCommentID || cm.ContainerID() != k.ID || cm.Body.Storage.Value == "" {
					t.Errorf("comment %s: kind %q parent %q container %q, truth %+v", cm.ID, cm.Kind, cm.ParentCommentID, cm.ContainerID(), tc)
				}
				return cm.ID
			})
			sameSet(t, "comments of "+k.ID, comments, truthComments(truth, k.ID))

			nComments += len(comments)
		}
		if k.Type != "comment" {
			r, err := c.ReadRestrictions(ctx, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			var gotU, gotG []string
			for _, u := range r.Users {
				gotU = append(gotU, u.AccountID)
			}
			for _, g := range r.Groups {
				gotG = append(gotG, g.ID)
			}
			sameSet(t, "read users of "+k.ID, gotU, k.Restrictions.ReadUsers)
			sameSet(t, "read groups of "+k.ID, gotG, k.Restrictions.ReadGroups)
			if !r.Empty() {
				nRestricted++
			}
		}
	}

	for _, g := range truth.Groups {
		members := collect(t, "members", c.GroupMembers(ctx, g.ID), func(u confluence.User) string { return u.AccountID })
		sameSet(t, "members of "+g.Name, members, g.Members)
	}
	groups := collect(t, "groups", c.Groups(ctx), func(g confluence.Group) string { return g.ID })
	sameSet(t, "groups", groups, ids(truth.Groups, func(g *confluencesim.Group) (string, bool) { return g.ID, true }))

	hits := collect(t, "search", c.SearchCQL(ctx, "type=page"), func(r confluence.SearchResult) string { return r.Content.ID })
	sameSet(t, "CQL type=page", hits, ids(truth.Content, func(c *confluencesim.Content) (string, bool) {
		s := spaceOf(truth, c.SpaceID)
		return c.ID, c.Type == "page" && c.Status == "current" && s != nil && s.Status == "current"
	}))

	all := ids(truth.Users, func(u *confluencesim.User) (string, bool) { return u.AccountID, true })
	users, err := c.Users(ctx, append(all, all[0], "", "557058:no-such-account"))
	if err != nil {
		t.Fatal(err)
	}
	sameSet(t, "users", ids(users, func(u confluence.User) (string, bool) { return u.AccountID, true }), all)

	t.Logf("checked %d spaces, %d children, %d ancestors, %d attachments, %d labels, %d comments, %d restricted items, %d CQL hits, %d users",
		len(spaceIDs), nChildren, nAncestors, nAtts, nLabels, nComments, nRestricted, len(hits), len(users))
	if nChildren == 0 || nAncestors == 0 || nAtts == 0 || nLabels == 0 || nComments == 0 || nRestricted == 0 || len(hits) <= 7 {
		t.Error("the generated tenant does not exercise every list")
	}
	if n := sim.Counters().Endpoints["GET /wiki/api/v2/spaces/{id}/pages"]; n <= int64(len(truth.Spaces)) {
		t.Errorf("pages listed in %d calls for %d spaces: pagination not exercised", n, len(truth.Spaces))
	}
}

func TestSimSingleReads(t *testing.T) {
	sim := startSim(t, generated(), confluencesim.Options{})
	truth := sim.Tenant()
	c := newClient(t, confluence.Options{Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken)})
	ctx := timeout(t, 60*time.Second)
	var page, folder, blog *confluencesim.Content
	for _, k := range truth.Content {
		switch {
		case page == nil && k.Type == "page" && k.Status == "current":
			page = k
		case folder == nil && k.Type == "folder" && k.Status == "current":
			folder = k
		case blog == nil && k.Type == "blogpost" && k.Status == "current":
			blog = k
		}
	}
	p, err := c.Page(ctx, page.ID)
	if err != nil || p.Title != page.Title || p.Body.Storage.Value != page.Body || p.Version.Number != page.Version {
		t.Errorf("Page = %+v, %v; want %+v", p, err, page)
	}
	f, err := c.Folder(ctx, folder.ID)
	if err != nil || f.Title != folder.Title || f.ParentID != folder.ParentID {
		t.Errorf("Folder = %+v, %v; want %+v", f, err, folder)
	}
	b, err := c.BlogPost(ctx, blog.ID)
	if err != nil || b.Title != blog.Title || b.Body.Storage.Value != blog.Body {
		t.Errorf("BlogPost = %+v, %v", b, err)
	}
	trashed := 0
	for _, k := range truth.Content {
		if (k.Type == "page" || k.Type == "blogpost") && k.Status == "trashed" {
			trashed++
			var status string
			if k.Type == "page" {
				p, err = c.Page(ctx, k.ID)
				status = p.Status
			} else {
				b, err = c.BlogPost(ctx, k.ID)
				status = b.Status
			}
			if err != nil || status != "trashed" {
				t.Errorf("trashed %s %s: status %q, %v", k.Type, k.ID, status, err)
			}
		}
	}
	if trashed == 0 {
		t.Error("no trashed page or blog post in the tenant")
	}
	if _, err := c.Page(ctx, folder.ID); !errors.Is(err, confluence.ErrNotFound) {
		t.Errorf("Page(folder id) err = %v, want ErrNotFound", err)
	}
	if _, err := c.Page(ctx, "999999999"); !errors.Is(err, confluence.ErrNotFound) {
		t.Errorf("Page(missing) err = %v, want ErrNotFound", err)
	}
	s, err := c.Space(ctx, truth.Spaces[0].ID)
	if err != nil || s.Key != truth.Spaces[0].Key {
		t.Errorf("Space = %+v, %v", s, err)
	}
	g, err := c.Group(ctx, truth.Groups[0].ID)
	if err != nil || g.Name != truth.Groups[0].Name {
		t.Errorf("Group = %+v, %v", g, err)
	}
	a := truth.Attachments[0]
	got, err := c.Attachment(ctx, a.ID)
	if err != nil || got.Title != a.Title || got.FileSize != a.Size {
		t.Errorf("Attachment = %+v, %v", got, err)
	}
}

func TestSimWrongCredentials(t *testing.T) {
	sim := startSim(t, generated(), confluencesim.Options{})
	ctx := timeout(t, 60*time.Second)
	c := newClient(t, confluence.Options{Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, "wrong")})
	// As measured live: bad credentials are a bare 404 on v2 and a 403 on v1.
	if _, err := c.Space(ctx, "1"); !errors.Is(err, confluence.ErrNotFound) {
		t.Errorf("v2 with a wrong token: %v", err)
	}
	if _, err := c.ReadRestrictions(ctx, "1"); !errors.Is(err, confluence.ErrUnauthorized) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("v1 with a wrong token: %v", err)
	}
	if n := sim.Counters().Requests; n != 2 {
		t.Errorf("%d requests, want 2: a static credential is not retried", n)
	}
}

// swapping is Credentials that start with a rejected credential and move
// to a good one on Invalidate.
type swapping struct {
	mu          sync.Mutex
	cur, next   confluence.Credential
	invalidated atomic.Int32
}

func (s *swapping) Credential(context.Context) (confluence.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur, nil
}

func (s *swapping) Invalidate(_ context.Context, c confluence.Credential) error {
	s.invalidated.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Authorization == s.cur.Authorization {
		s.cur = s.next
	}
	return nil
}

func TestSimGateway401InvalidatesAndRetriesOnce(t *testing.T) {
	sim := startSim(t, generated(), confluencesim.Options{})
	good, _ := confluence.BasicAuth(sim.GatewayURL(), crawlerEmail, crawlerToken).Credential(context.Background())
	bad, _ := confluence.BasicAuth(sim.GatewayURL(), crawlerEmail, "expired").Credential(context.Background())
	creds := &swapping{cur: bad, next: good}
	c := newClient(t, confluence.Options{Credentials: creds, PageSize: 2})
	ctx := timeout(t, 60*time.Second)
	n := len(collect(t, "spaces", c.Spaces(ctx, confluence.SpaceQuery{}), func(s confluence.Space) string { return s.ID }))
	if n != len(sim.Tenant().Spaces) {
		t.Errorf("%d spaces through the gateway", n)
	}
	if creds.invalidated.Load() != 1 || sim.Counters().AuthFailures != 1 {
		t.Errorf("invalidated %d times, %d auth failures; want 1, 1", creds.invalidated.Load(), sim.Counters().AuthFailures)
	}
	if sim.Counters().Gateway != sim.Counters().Requests {
		t.Errorf("requests left the gateway base: %+v", sim.Counters())
	}
	// A credential that stays bad: one refresh, then ErrUnauthorized.
	creds = &swapping{cur: bad, next: bad}
	c = newClient(t, confluence.Options{Credentials: creds})
	before := sim.Counters().Requests
	if _, err := c.Page(ctx, "1"); !errors.Is(err, confluence.ErrUnauthorized) || creds.invalidated.Load() != 1 || sim.Counters().Requests-before != 1 {
		t.Errorf("err = %v, invalidated %d, %d requests", err, creds.invalidated.Load(), sim.Counters().Requests-before)
	}
}

// oauthCreds refreshes a bearer token at the simulator's token endpoint.
type oauthCreds struct {
	sim         *confluencesim.Server
	mu          sync.Mutex
	refresh     string
	access      string
	invalidated atomic.Int32
}

func (o *oauthCreds) Credential(ctx context.Context) (confluence.Credential, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.access == "" {
		body, _ := json.Marshal(map[string]string{"grant_type": "refresh_token", "client_id": "cid", "client_secret": "secret", "refresh_token": o.refresh})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, o.sim.URL()+"/oauth/token", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return confluence.Credential{}, err
		}
		defer resp.Body.Close()
		var tok struct{ AccessToken, RefreshToken string }
		if err := json.NewDecoder(resp.Body).Decode(&struct {
			A *string `json:"access_token"`
			R *string `json:"refresh_token"`
		}{&tok.AccessToken, &tok.RefreshToken}); err != nil || tok.AccessToken == "" {
			return confluence.Credential{}, fmt.Errorf("refresh: status %d, %v", resp.StatusCode, err)
		}
		o.access, o.refresh = tok.AccessToken, tok.RefreshToken
	}
	return confluence.Credential{Authorization: "Bearer " + o.access, BaseURL: o.sim.GatewayURL()}, nil
}

func (o *oauthCreds) Invalidate(_ context.Context, c confluence.Credential) error {
	o.invalidated.Add(1)
	o.mu.Lock()
	defer o.mu.Unlock()
	if c.Authorization == "Bearer "+o.access {
		o.access = ""
	}
	return nil
}

func TestSimExpiredBearerRefreshed(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	sim := startSim(t, generated(), confluencesim.Options{OAuth: oauthsim.Config{ClientID: "cid", ClientSecret: "secret", Now: clock}})
	creds := &oauthCreds{sim: sim, refresh: sim.OAuth().IssueRefreshToken()}
	c := newClient(t, confluence.Options{Credentials: creds})
	ctx := timeout(t, 60*time.Second)
	page := ""
	for _, k := range sim.Tenant().Content {
		if k.Type == "page" && k.Status == "current" {
			page = k.ID
			break
		}
	}
	if _, err := c.Page(ctx, page); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(2 * time.Hour) // the access token expires
	mu.Unlock()
	if _, err := c.Page(ctx, page); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if creds.invalidated.Load() != 1 || sim.Counters().OAuth.Refreshes != 2 {
		t.Errorf("invalidated %d, refreshes %d; want 1, 2", creds.invalidated.Load(), sim.Counters().OAuth.Refreshes)
	}
	// A genuine 404 with a valid bearer is not a reason to refresh.
	if _, err := c.Page(ctx, "999999999"); !errors.Is(err, confluence.ErrNotFound) || creds.invalidated.Load() != 1 {
		t.Errorf("missing page: err = %v, invalidated %d", err, creds.invalidated.Load())
	}
}

func TestSimFaultsAndRateLimits(t *testing.T) {
	// Smaller than generated(): every 503 with Retry-After pauses the whole
	// client for 1-2 s, as the simulator holds the promise per credential.
	tenant := confluencesim.Generate(5, confluencesim.Size{Spaces: 2, PagesPerSpace: 10, BlogsPerSpace: 2, Users: 12,
		Groups: 3, CommentsPerPage: 1, AttachmentsPerPage: 1, RestrictedShare: 0.2})
	clean := startSim(t, tenant, confluencesim.Options{})
	ctx := timeout(t, 100*time.Second)
	opts := confluence.Options{PageSize: 25, Credentials: confluence.BasicAuth(clean.URL(), crawlerEmail, crawlerToken)}
	want, err := crawl(ctx, newClient(t, opts), clean.Tenant(), 1)
	if err != nil {
		t.Fatal(err)
	}

	faulty := startSim(t, tenant, confluencesim.Options{Faults: 0.1, Rate: 80, Burst: 10, Seed: 3, Hang: 300 * time.Millisecond})
	var rateLimits atomic.Int32
	opts.Credentials = confluence.BasicAuth(faulty.URL(), crawlerEmail, crawlerToken)
	opts.Timeout = 10 * time.Second
	opts.BackoffBase = 100 * time.Millisecond
	opts.OnRateLimit = func(time.Duration) { rateLimits.Add(1) }
	opts.NearLimitPause = -1 // to meet the 429s rather than slow down before them
	got, err := crawl(ctx, newClient(t, opts), faulty.Tenant(), 4)
	if err != nil {
		t.Fatalf("crawl under faults: %v", err)
	}
	for k := range maps.Keys(want) {
		if got[k] != want[k] {
			t.Errorf("%s differs under faults:\n got %s\nwant %s", k, got[k], want[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d keys under faults, %d clean", len(got), len(want))
	}
	cn := faulty.Counters()
	t.Logf("faulty crawl: %d requests, %d 429s (%d OnRateLimit), faults %v, %d Retry-After violations",
		cn.Requests, cn.RateLimited, rateLimits.Load(), cn.Faults, cn.RetryAfterViolations)
	if cn.RetryAfterViolations != 0 {
		t.Errorf("%d Retry-After violations", cn.RetryAfterViolations)
	}
	if cn.RateLimited == 0 || int64(rateLimits.Load()) != cn.RateLimited {
		t.Errorf("%d 429s, OnRateLimit called %d times: want some, one call each", cn.RateLimited, rateLimits.Load())
	}
	if cn.Faults["500"]+cn.Faults["502"]+cn.Faults["503"]+cn.Faults["503_retry_after"] == 0 || cn.Faults["timeout"] == 0 {
		t.Errorf("faults not exercised: %v", cn.Faults)
	}
}

func TestSimRetryAfterBeyondMaxRetryAfter(t *testing.T) {
	sim := startSim(t, generated(), confluencesim.Options{Rate: 0.2, Burst: 1})
	var announced []time.Duration
	c := newClient(t, confluence.Options{MaxRetryAfter: time.Second,
		OnRateLimit: func(d time.Duration) { announced = append(announced, d) },
		Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken)})
	ctx := timeout(t, 60*time.Second)
	if _, err := c.Space(ctx, sim.Tenant().Spaces[0].ID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Space(ctx, sim.Tenant().Spaces[0].ID)
	d, ok := confluence.RetryAfterOf(err)
	if !errors.Is(err, confluence.ErrRateLimited) || !ok || d < 2*time.Second || len(announced) != 1 || announced[0] != d {
		t.Fatalf("err = %v, RetryAfterOf = %v %v, OnRateLimit %v", err, d, ok, announced)
	}
	// The client stays paused for the announced time: no violation.
	ctx2, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := c.Space(ctx2, sim.Tenant().Spaces[0].ID); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("during the pause: %v", err)
	}
	if v := sim.Counters().RetryAfterViolations; v != 0 {
		t.Errorf("%d Retry-After violations", v)
	}
}

func ids[T any](items []T, f func(T) (string, bool)) []string {
	var out []string
	for _, it := range items {
		if id, ok := f(it); ok {
			out = append(out, id)
		}
	}
	return out
}

func find(t *confluencesim.Tenant, id string) *confluencesim.Content {
	for _, c := range t.Content {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func spaceOf(t *confluencesim.Tenant, id string) *confluencesim.Space {
	for _, s := range t.Spaces {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// truthAncestors is the chain of parents of k, root first.
func truthAncestors(t *confluencesim.Tenant, k *confluencesim.Content) []confluence.Ancestor {
	var out []confluence.Ancestor
	if k.Status == "trashed" {
		return nil
	}
	for p := find(t, k.ParentID); p != nil; p = find(t, p.ParentID) {
		out = append(out, confluence.Ancestor{ID: p.ID, Type: p.Type})
	}
	slices.Reverse(out)
	return out
}

// truthComments lists the current comments of a container reachable from
// its current root comments (the tenant names the container of root
// comments only).
func truthComments(t *confluencesim.Tenant, container string) []string {
	var out []string
	var walk func(parent string)
	walk = func(parent string) {
		for _, c := range t.Content {
			root := parent == "" && c.ContainerID == container
			if c.Type == "comment" && (root || parent != "" && c.ParentCommentID == parent) && c.Status == "current" {
				out = append(out, c.ID)
				walk(c.ID)
			}
		}
	}
	walk("")
	return out
}

// meter is an io.Writer that hashes what it receives and samples the heap
// every MiB.
type meter struct {
	hash     hashWriter
	n, next  int64
	baseline uint64
	peak     uint64 // HeapInuse above baseline
	samples  int
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func (m *meter) Write(p []byte) (int, error) {
	m.hash.Write(p)
	m.n += int64(len(p))
	if m.n >= m.next {
		m.next = m.n + 1<<20
		m.sample()
	}
	return len(p), nil
}

func (m *meter) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.samples++
	if ms.HeapInuse > m.baseline {
		m.peak = max(m.peak, ms.HeapInuse-m.baseline)
	}
}

func TestSimDownloadStreamsWithFlatMemory(t *testing.T) {
	const size = 50 << 20
	sim := startSim(t, generated(), confluencesim.Options{})
	truth := sim.Tenant()
	var page string
	for _, k := range truth.Content {
		if k.Type == "page" && k.Status == "current" {
			page = k.ID
			break
		}
	}
	attID, err := sim.AddAttachment(confluencesim.Attachment{ContainerID: page, Title: "big.bin", Size: size, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, confluence.Options{Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken)})
	ctx := timeout(t, 60*time.Second)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	m := &meter{hash: sha256.New(), baseline: before.HeapInuse}
	body, err := c.DownloadAttachment(ctx, page, attID, 1)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(m, body)
	if cerr := body.Close(); err == nil {
		err = cerr
	}
	if err != nil || n != size {
		t.Fatalf("copied %d bytes, %v", n, err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	var a *confluencesim.Attachment
	for _, x := range sim.Tenant().Attachments {
		if x.ID == attID {
			a = x
		}
	}
	want := sha256.New()
	io.Copy(want, truth.Bytes(a))
	if !bytes.Equal(m.hash.Sum(nil), want.Sum(nil)) {
		t.Error("downloaded bytes differ from the attachment")
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("50 MiB download: peak HeapInuse %.2f MiB over a baseline of %.2f MiB (%d samples); TotalAlloc %.2f MiB (client and simulator together)",
		float64(m.peak)/(1<<20), float64(before.HeapInuse)/(1<<20), m.samples, float64(allocated)/(1<<20))
	if m.peak > 8<<20 {
		t.Errorf("heap grew by %d bytes during a streamed download of %d", m.peak, size)
	}
	if allocated > 16<<20 {
		t.Errorf("%d bytes allocated to stream %d: the body is being buffered", allocated, size)
	}
	cn := sim.Counters()
	if cn.Redirects != 1 || cn.MediaRefusals != 0 || cn.Downloads != 1 || cn.DownloadBytes != size {
		t.Errorf("counters: %d redirects, %d media refusals, %d downloads of %d bytes", cn.Redirects, cn.MediaRefusals, cn.Downloads, cn.DownloadBytes)
	}
}

func TestSimDownloadUnderFaults(t *testing.T) {
	tenant := generated()
	sim := startSim(t, tenant, confluencesim.Options{Faults: 0.3, Seed: 9, Hang: 200 * time.Millisecond})
	c := newClient(t, confluence.Options{BackoffBase: 50 * time.Millisecond, MaxRetries: 10,
		Credentials: confluence.BasicAuth(sim.URL(), crawlerEmail, crawlerToken)})
	ctx := timeout(t, 90*time.Second)
	n := 0
	for _, a := range sim.Tenant().Attachments {
		if a.Status != "current" || n == 20 {
			continue
		}
		n++
		body, err := c.DownloadAttachment(ctx, a.ContainerID, a.ID, a.Version)
		if err != nil {
			t.Fatalf("download %s: %v", a.ID, err)
		}
		got := sha256.New()
		_, err = io.Copy(got, body)
		body.Close()
		want := sha256.New()
		io.Copy(want, tenant.Bytes(a))
		if err != nil || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
			t.Errorf("download %s: %v or wrong bytes", a.ID, err)
		}
	}
	cn := sim.Counters()
	t.Logf("%d downloads: %d redirects, faults %v, %d Retry-After violations", n, cn.Redirects, cn.Faults, cn.RetryAfterViolations)
	if cn.MediaRefusals != 0 || cn.RetryAfterViolations != 0 || cn.Redirects <= int64(n) {
		t.Errorf("media refusals %d, violations %d, redirects %d for %d downloads (faults should force repeats)",
			cn.MediaRefusals, cn.RetryAfterViolations, cn.Redirects, n)
	}
	if _, err := c.DownloadAttachment(ctx, "1", "att999999", 0); !errors.Is(err, confluence.ErrNotFound) {
		t.Errorf("missing attachment: %v", err)
	}
}
