package permissions_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/metrics"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/pkg/progress"
	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/permissions"
)

// env is one test's world: an embedded NATS server with the topology, a
// simulated site, and the Confluence calls the resolver made.
type env struct {
	t     *testing.T
	ctx   context.Context
	srv   *server.Server
	js    jetstream.JetStream
	sim   *confluencesim.Server
	cfg   config.Config
	sub   proto.Subjects
	pub   *bus.Publisher
	calls *callCounter
	log   *slog.Logger
	// metrics, when set before startReplica, is every replica's.
	metrics *metrics.Metrics
}

func newEnv(t *testing.T, tn *confluencesim.Tenant) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	t.Cleanup(cancel)
	srv := natstest.Start(t)
	_, js := natstest.Connect(t, srv)
	sim, err := confluencesim.Start(tn, confluencesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	cfg := config.Default()
	cfg.Site = sim.URL()
	cfg.Crawl.Concurrency = 4
	if err := bus.EnsureTopology(ctx, js, cfg.Site, proto.Options{}); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, srv: srv, js: js, sim: sim, cfg: cfg, sub: proto.For(cfg.Site), pub: bus.NewPublisher(js),
		calls: &callCounter{rt: http.DefaultTransport, byPath: map[string]int{}}, log: natstest.Logger(t, slog.LevelInfo)}
	return e
}

// startReplica runs one replica of the stage until the test ends.
func (e *env) startReplica(opts ...permissions.Option) *permissions.Service {
	e.t.Helper()
	_, js := natstest.Connect(e.t, e.srv)
	return e.startReplicaOn(js, opts...)
}

func (e *env) startReplicaOn(js jetstream.JetStream, opts ...permissions.Option) *permissions.Service {
	client, err := confluence.New(confluence.Options{
		Credentials: confluence.BasicAuth(e.sim.URL(), "crawler@example.com", "crawler-token"),
		HTTPClient:  &http.Client{Transport: e.calls},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	svc, err := permissions.New(context.Background(), permissions.Deps{JS: js, Config: e.cfg, Client: client,
		Metrics: e.metrics, Logger: e.log}, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	natstest.Run(e.t, "replica", 30*time.Second, svc.Run)
	return svc
}

// callCounter counts the HTTP calls the replicas make, by method and path.
type callCounter struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	byPath map[string]int
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.byPath[r.Method+" "+r.URL.Path]++
	c.mu.Unlock()
	return c.rt.RoundTrip(r)
}

var restrictionPath = regexp.MustCompile(`^GET /wiki/rest/api/content/([^/]+)/restriction/byOperation/read$`)

// restrictionCalls returns the read-restriction look-ups per content id.
func (c *callCounter) restrictionCalls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for p, n := range c.byPath {
		if m := restrictionPath.FindStringSubmatch(p); m != nil {
			out[m[1]] += n
		}
	}
	return out
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byPath = map[string]int{}
}

// crawlItem is one item as the fetcher (or the attachment downloader)
// would publish it.
type crawlItem struct {
	id, spaceID string
	msg         proto.Message
	subject     string
	chain       []string // the nodes whose restrictions apply
}

// itemsOf builds the crawl's messages from a tenant: current and archived
// pages, folders and blog posts, current comments and attachments of
// those. About a third of the comments and attachments on pages come
// without their container's path, as an older fetcher might send them.
func (e *env) itemsOf(tn *confluencesim.Tenant, crawlID string, rng *rand.Rand) []crawlItem {
	content := map[string]*confluencesim.Content{}
	for _, c := range tn.Content {
		content[c.ID] = c
	}
	keyOf := map[string]string{}
	for _, s := range tn.Spaces {
		keyOf[s.ID] = s.Key
	}
	listed := func(c *confluencesim.Content) bool { return c.Status == "current" || c.Status == "archived" }
	pathOf := func(c *confluencesim.Content) []proto.Ancestor {
		var p []proto.Ancestor
		for n := content[c.ParentID]; n != nil; n = content[n.ParentID] {
			p = append([]proto.Ancestor{{ID: n.ID, Type: n.Type}}, p...)
		}
		return p
	}
	ids := func(as []proto.Ancestor) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	var items []crawlItem
	for _, c := range tn.Content {
		if !listed(c) {
			continue
		}
		m := &proto.ContentFetched{CrawlID: crawlID, Kind: proto.CrawlFull, SpaceID: c.SpaceID, SpaceKey: keyOf[c.SpaceID],
			ID: c.ID, Type: c.Type, Status: c.Status, Title: c.Title, WebUI: "/spaces/" + keyOf[c.SpaceID] + "/pages/" + c.ID,
			Labels: c.Labels, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, AuthorID: c.AuthorID, Body: c.Body}
		var chain []string
		if c.Type == "comment" {
			k := c
			for k != nil && k.Type == "comment" {
				if k.ContainerID != "" {
					k = content[k.ContainerID]
				} else {
					k = content[k.ParentCommentID]
				}
			}
			if k == nil || !listed(k) {
				continue
			}
			path := append(pathOf(k), proto.Ancestor{ID: k.ID, Type: k.Type})
			m.ContainerID, m.ContainerType = k.ID, k.Type
			if k.Type == "blogpost" || rng.IntN(3) > 0 {
				m.Ancestors = path
			}
			chain = ids(path)
		} else {
			m.Ancestors = pathOf(c)
			if len(m.Ancestors) > 0 {
				m.ParentID, m.ParentType = m.Ancestors[len(m.Ancestors)-1].ID, m.Ancestors[len(m.Ancestors)-1].Type
			}
			chain = append(ids(m.Ancestors), c.ID)
		}
		items = append(items, crawlItem{id: c.ID, spaceID: c.SpaceID, msg: m, subject: e.sub.Content(c.SpaceID, c.ID), chain: chain})
	}
	for _, a := range tn.Attachments {
		k := content[a.ContainerID]
		if a.Status != "current" || k == nil || !listed(k) {
			continue
		}
		path := append(pathOf(k), proto.Ancestor{ID: k.ID, Type: k.Type})
		f := proto.AttachmentFound{CrawlID: crawlID, Kind: proto.CrawlFull, SpaceID: k.SpaceID, SpaceKey: keyOf[k.SpaceID],
			ID: a.ID, Title: a.Title, FileName: a.Title, MediaType: a.MediaType, Size: a.Size, Version: a.Version,
			CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, AuthorID: a.AuthorID, ContainerID: k.ID, ContainerType: k.Type,
			Labels: a.Labels}
		if k.Type == "blogpost" || rng.IntN(3) > 0 {
			f.Ancestors = path
		}
		m := &proto.AttachmentStored{Attachment: f, Skipped: "not stored in this test", Extraction: "skipped: not stored in this test"}
		items = append(items, crawlItem{id: a.ID, spaceID: k.SpaceID, msg: m, subject: e.sub.AttachmentExtracted(k.SpaceID, a.ID), chain: ids(path)})
	}
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	return items
}

func (e *env) publish(items []crawlItem, crawlID string) {
	e.t.Helper()
	for _, it := range items {
		if err := e.pub.Publish(e.ctx, it.subject, it.msg, proto.MsgID("test", it.id, 1, crawlID)); err != nil {
			e.t.Fatal(err)
		}
	}
}

// lastDoc reads the latest document of an item; nil when there is none.
func (e *env) lastDoc(spaceID, id string) (*proto.DocumentReady, error) {
	raw, err := e.stream(proto.StreamDocuments).GetLastMsgForSubject(e.ctx, e.sub.Document(spaceID, id))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s := raw.Header.Get(proto.HeaderSchema); s != proto.SchemaDocumentReady.String() {
		return nil, fmt.Errorf("document %s has schema %q", id, s)
	}
	if raw.Header.Get(bus.HeaderClaim) != "" {
		return nil, fmt.Errorf("document %s travels by claim check; the test does not resolve it", id)
	}
	var d proto.DocumentReady
	return &d, bus.Decode(raw.Data, &d)
}

func (e *env) stream(name string) jetstream.Stream {
	s, err := e.js.Stream(e.ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// waitDocs polls the documents stream until every item has a document
// that done accepts, and returns them by id.
func (e *env) waitDocs(items []crawlItem, done func(*proto.DocumentReady) bool) map[string]*proto.DocumentReady {
	e.t.Helper()
	out := map[string]*proto.DocumentReady{}
	for deadline := time.Now().Add(90 * time.Second); ; {
		for _, it := range items {
			if _, ok := out[it.id]; ok {
				continue
			}
			d, err := e.lastDoc(it.spaceID, it.id)
			if err != nil {
				e.t.Fatal(err)
			}
			if d != nil && done(d) {
				out[it.id] = d
			}
		}
		if len(out) == len(items) {
			return out
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d of %d documents after 90s", len(out), len(items))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitOutcomes polls the progress bucket until n items of the crawl have
// an outcome, and returns them.
func (e *env) waitOutcomes(crawlID string, spaces []string, n int) map[string]proto.Outcome {
	e.t.Helper()
	tr, err := progress.Open(e.ctx, e.js)
	if err != nil {
		e.t.Fatal(err)
	}
	for deadline := time.Now().Add(90 * time.Second); ; {
		all := map[string]proto.Outcome{}
		for _, s := range spaces {
			seen, err := tr.SeenItems(e.ctx, crawlID, s)
			if err != nil {
				e.t.Fatal(err)
			}
			for id, o := range seen {
				all[id] = o
			}
		}
		if len(all) >= n {
			return all
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d of %d outcomes after 90s", len(all), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
