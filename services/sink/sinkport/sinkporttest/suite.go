// Package sinkporttest is the conformance suite of sinkport: every sink
// back-end runs it from its own tests,
//
//	func TestConformance(t *testing.T) {
//		sinkporttest.Run(t, func(t *testing.T) sinkport.Backend { return openEmpty(t) })
//	}
//
// and so shows that it upserts by id and version (an older version never
// wins, within a batch or across batches, concurrently too), deletes,
// stores groups, survives a batch that fails half-way when it is retried,
// and reaches the same state when the same documents are written again
// (a rebuild).
package sinkporttest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Open returns a new, empty back-end; the suite closes it.
type Open func(t *testing.T) sinkport.Backend

// Run runs every conformance test against back-ends made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b sinkport.Backend)
	}{
		{"Upsert", testUpsert},
		{"OlderVersionNeverWins", testOlderVersionNeverWins},
		{"SameVersionApplies", testSameVersionApplies},
		{"ConcurrentVersions", testConcurrentVersions},
		{"Delete", testDelete},
		{"Groups", testGroups},
		{"HalfWayFailureRetried", testHalfWayFailure},
		{"Rebuild", testRebuild},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := open(t)
			t.Cleanup(func() {
				if err := b.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(t, b)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// Doc returns a document with every field the sinks store set.
func Doc(id string, version int) proto.Document {
	parent := "p-" + id
	return proto.Document{
		ID: id, Type: "page", Site: "acme.atlassian.net", SpaceKey: "ENG", SpaceID: "98304",
		Title:          fmt.Sprintf("Runbook %s v%d", id, version),
		URL:            "https://acme.atlassian.net/wiki/spaces/ENG/pages/" + id,
		ParentID:       &parent,
		Ancestors:      []string{"root", parent},
		AncestorTitles: []string{"Engineering", "Runbooks"},
		Labels:         []string{"ops", "v" + fmt.Sprint(version)},
		Version:        version,
		CreatedAt:      "2024-01-02T03:04:05.000Z", UpdatedAt: fmt.Sprintf("2024-02-%02dT00:00:00.000Z", 1+version%27),
		Author:   proto.Author{AccountID: "5b10-author", Email: "author@acme.com"},
		BodyText: fmt.Sprintf("The body of %s at version %d: restart the service.", id, version),
		ACL: proto.ACL{Users: []string{"a@acme.com"}, AccountIDs: []string{"5b10-a"},
			Groups: []string{"g-eng"}, GroupNames: []string{"eng"}},
		CrawlID: "crawl-1",
	}
}

func items(docs ...proto.Document) []sinkport.Item {
	out := make([]sinkport.Item, len(docs))
	for i, d := range docs {
		out[i] = sinkport.Item{Doc: d}
	}
	return out
}

func upsert(t *testing.T, b sinkport.Sink, docs ...proto.Document) {
	t.Helper()
	if err := b.Upsert(ctx(t), items(docs...)); err != nil {
		t.Fatalf("upsert: %v", err)
	}
}

// canon is a document as compared: JSON-equal, lists never null, the
// crawl id (which a back-end may keep from an earlier write of the same
// content) and the attachment's path left out.
func canon(t *testing.T, d proto.Document) string {
	t.Helper()
	d.CrawlID = ""
	d.Body, d.Blob = "", nil
	for _, l := range []*[]string{&d.Ancestors, &d.AncestorTitles, &d.Labels, &d.ACL.Users, &d.ACL.AccountIDs, &d.ACL.Groups, &d.ACL.GroupNames} {
		if *l == nil {
			*l = []string{}
		}
	}
	if d.Attachment != nil {
		a := *d.Attachment
		a.Path = ""
		d.Attachment = &a
	}
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// state returns every stored document, canonical, by id.
func state(t *testing.T, b sinkport.Reader) map[string]string {
	t.Helper()
	docs, err := b.Documents(ctx(t))
	if err != nil {
		t.Fatalf("documents: %v", err)
	}
	out := make(map[string]string, len(docs))
	for i, d := range docs {
		if i > 0 && docs[i-1].ID >= d.ID {
			t.Fatalf("documents not sorted by id or duplicated: %q then %q", docs[i-1].ID, d.ID)
		}
		out[d.ID] = canon(t, d)
	}
	return out
}

func want(t *testing.T, docs ...proto.Document) map[string]string {
	out := make(map[string]string, len(docs))
	for _, d := range docs {
		out[d.ID] = canon(t, d)
	}
	return out
}

func checkState(t *testing.T, b sinkport.Reader, want map[string]string) {
	t.Helper()
	got := state(t, b)
	if reflect.DeepEqual(got, want) {
		return
	}
	for id, w := range want {
		if g, ok := got[id]; !ok {
			t.Errorf("document %s missing", id)
		} else if g != w {
			t.Errorf("document %s:\n got %s\nwant %s", id, g, w)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("document %s should not be there", id)
		}
	}
	t.FailNow()
}

func testUpsert(t *testing.T, b sinkport.Backend) {
	a, c := Doc("1001", 3), Doc("1002", 1)
	att := Doc("att2001", 2)
	att.Type, att.ContainerID, att.ParentID, att.Ancestors, att.AncestorTitles = "attachment", new("1001"), nil, nil, nil
	att.Attachment = &proto.AttachmentInfo{FileName: "run book.pdf", MediaType: "application/pdf", Size: 10}
	pub := Doc("1003", 1)
	pub.ACL = proto.ACL{Public: true}
	pub.Labels, pub.Ancestors, pub.AncestorTitles = nil, nil, nil
	pub.Title, pub.BodyText = "Ünïcode “quotes” <b>&</b>", "naïve café — 東京"
	upsert(t, b, a, c, att, pub)
	checkState(t, b, want(t, a, c, att, pub))
	got, ok, err := b.Document(ctx(t), "1001")
	if err != nil || !ok {
		t.Fatalf("document 1001: %v %v", ok, err)
	}
	if canon(t, got) != canon(t, a) {
		t.Fatalf("document 1001: got %s", canon(t, got))
	}
	if _, ok, err := b.Document(ctx(t), "nope"); ok || err != nil {
		t.Fatalf("missing document: %v %v", ok, err)
	}
	if err := b.Upsert(ctx(t), nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
}

func testOlderVersionNeverWins(t *testing.T, b sinkport.Backend) {
	v5 := Doc("1", 5)
	upsert(t, b, v5)
	older := Doc("1", 4)
	older.Title = "older"
	upsert(t, b, older)
	checkState(t, b, want(t, v5))

	// Within one batch, in either order.
	v7, v6 := Doc("1", 7), Doc("1", 6)
	upsert(t, b, v7, v6)
	checkState(t, b, want(t, v7))
	v8, v9 := Doc("2", 8), Doc("2", 9)
	upsert(t, b, v8, v9)
	checkState(t, b, want(t, v7, v9))
	upsert(t, b, Doc("2", 1))
	checkState(t, b, want(t, v7, v9))
}

func testSameVersionApplies(t *testing.T, b sinkport.Backend) {
	d := Doc("1", 3)
	upsert(t, b, d)
	d.ACL = proto.ACL{Users: []string{"b@acme.com"}, AccountIDs: []string{"5b10-b"}}
	d.Labels = []string{"changed"}
	d.CrawlID = "crawl-2"
	upsert(t, b, d)
	checkState(t, b, want(t, d))
	upsert(t, b, d) // again: nothing changes
	checkState(t, b, want(t, d))
}

func testConcurrentVersions(t *testing.T, b sinkport.Backend) {
	const ids, versions, writers = 20, 6, 6
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var batch []proto.Document
			for i := range ids {
				for v := 1; v <= versions; v++ {
					batch = append(batch, Doc(fmt.Sprintf("c%02d", i), v))
				}
			}
			r.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			for len(batch) > 0 {
				n := min(len(batch), 1+r.IntN(15))
				if err := b.Upsert(ctx(t), items(batch[:n]...)); err != nil {
					errs <- err
					return
				}
				batch = batch[n:]
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent upsert: %v", err)
	}
	var latest []proto.Document
	for i := range ids {
		latest = append(latest, Doc(fmt.Sprintf("c%02d", i), versions))
	}
	checkState(t, b, want(t, latest...))
}

func testDelete(t *testing.T, b sinkport.Backend) {
	a, c, d := Doc("1", 1), Doc("2", 1), Doc("3", 1)
	upsert(t, b, a, c, d)
	if err := b.Delete(ctx(t), []string{"2", "missing"}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	checkState(t, b, want(t, a, d))
	if err := b.Delete(ctx(t), []string{"2"}); err != nil {
		t.Fatalf("delete again: %v", err)
	}
	if err := b.Delete(ctx(t), nil); err != nil {
		t.Fatalf("delete nothing: %v", err)
	}
	// A deleted id that comes back is written again.
	c2 := Doc("2", 2)
	upsert(t, b, c2)
	checkState(t, b, want(t, a, c2, d))
	if err := b.Delete(ctx(t), []string{"1", "2", "3"}); err != nil {
		t.Fatalf("delete all: %v", err)
	}
	checkState(t, b, want(t))
}

func testGroups(t *testing.T, b sinkport.Backend) {
	eng := proto.Group{ID: "g-eng", Name: "eng", Members: []proto.GroupMember{
		{AccountID: "5b10-a", Email: "a@acme.com"}, {AccountID: "5b10-b"}}}
	ops := proto.Group{ID: "g-ops", Name: "ops", Members: []proto.GroupMember{}}
	if err := b.WriteGroups(ctx(t), []proto.Group{eng, ops}); err != nil {
		t.Fatalf("write groups: %v", err)
	}
	checkGroup(t, b, eng)
	checkGroup(t, b, ops)
	eng.Members = eng.Members[1:]
	eng.Name = "engineering"
	if err := b.WriteGroups(ctx(t), []proto.Group{eng, eng}); err != nil {
		t.Fatalf("rewrite group: %v", err)
	}
	checkGroup(t, b, eng)
	if _, ok, err := b.Group(ctx(t), "g-none"); ok || err != nil {
		t.Fatalf("missing group: %v %v", ok, err)
	}
	if err := b.WriteGroups(ctx(t), nil); err != nil {
		t.Fatalf("no groups: %v", err)
	}
}

func checkGroup(t *testing.T, b sinkport.Reader, w proto.Group) {
	t.Helper()
	g, ok, err := b.Group(ctx(t), w.ID)
	if err != nil || !ok {
		t.Fatalf("group %s: %v %v", w.ID, ok, err)
	}
	if g.Members == nil {
		g.Members = []proto.GroupMember{}
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("group %s: got %+v, want %+v", w.ID, g, w)
	}
}

// HalfWayBatch is the size of the batch that fails half way: a back-end
// that splits batches into statements should split this one in several.
const HalfWayBatch = 300

// testHalfWayFailure writes a large batch (several statements for a
// back-end that splits it) whose document two thirds in is invalid (an
// empty id): the batch fails; whatever it left must be the old state or
// the batch's own documents; the retried, corrected batch then gives
// exactly the state of one good write, and retrying it again changes
// nothing.
func testHalfWayFailure(t *testing.T, b sinkport.Backend) {
	var before []proto.Document
	for i := range 50 {
		before = append(before, Doc(fmt.Sprintf("h%04d", i), 1))
	}
	upsert(t, b, before...)
	var batch []proto.Document
	for i := range HalfWayBatch {
		batch = append(batch, Doc(fmt.Sprintf("h%04d", i), 2)) // 50 updates, the rest new
	}
	bad := slices.Clone(batch)
	bad[HalfWayBatch*2/3] = Doc("", 2)
	if err := b.Upsert(ctx(t), items(bad...)); err == nil {
		t.Fatal("a batch with an empty id succeeded")
	}
	allowed := map[string]map[string]bool{}
	for _, d := range slices.Concat(before, batch) {
		if allowed[d.ID] == nil {
			allowed[d.ID] = map[string]bool{}
		}
		allowed[d.ID][canon(t, d)] = true
	}
	for id, got := range state(t, b) {
		if !allowed[id][got] {
			t.Fatalf("after the failed batch, document %s is neither its old state nor the batch's: %s", id, got)
		}
	}
	for range 2 {
		upsert(t, b, batch...)
		checkState(t, b, want(t, batch...))
	}
}

// testRebuild writes documents, groups and deletions, then writes them
// all again as a rebuild from the documents stream would: the state is
// the same.
func testRebuild(t *testing.T, b sinkport.Backend) {
	var docs []proto.Document
	for i := range 30 {
		d := Doc(fmt.Sprintf("r%02d", i), 1+i%4)
		if i%3 == 0 {
			d.ACL = proto.ACL{Public: true}
		}
		docs = append(docs, d)
	}
	groups := []proto.Group{{ID: "g-eng", Name: "eng", Members: []proto.GroupMember{{AccountID: "5b10-a", Email: "a@acme.com"}}}}
	deleted := []string{"r03", "r17"}
	write := func() {
		if err := b.WriteGroups(ctx(t), groups); err != nil {
			t.Fatalf("groups: %v", err)
		}
		for i := 0; i < len(docs); i += 7 {
			upsert(t, b, docs[i:min(i+7, len(docs))]...)
		}
		if err := b.Delete(ctx(t), deleted); err != nil {
			t.Fatalf("delete: %v", err)
		}
	}
	write()
	first := state(t, b)
	if len(first) != len(docs)-len(deleted) {
		t.Fatalf("%d documents stored, want %d", len(first), len(docs)-len(deleted))
	}
	write()
	if second := state(t, b); !reflect.DeepEqual(first, second) {
		t.Fatalf("a rebuild changed the state:\nfirst  %v\nsecond %v", first, second)
	}
	checkGroup(t, b, groups[0])
}
