// Package sinktest checks what a crawl wrote into the file sink against the
// simulated tenant it crawled: every document the tenant must produce,
// field by field, attachment bytes and ACLs included, and nothing else.
package sinktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/pkg/acl"
	"github.com/conflux-dev/conflux/pkg/acl/acltest"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
	"github.com/conflux-dev/conflux/pkg/storagetext"
	"github.com/conflux-dev/conflux/proto"
)

// Want is what the sink must hold for one item of the tenant.
type Want struct {
	Type, Title, SpaceID, SpaceKey string
	Parent, Container              string
	Ancestors                      []string
	Labels                         []string
	Version                        int
	Author                         string
	Body                           string // storage format
	Attachment                     *confluencesim.Attachment
}

// Expected derives, from the tenant alone, every document a full crawl of
// all current spaces must produce: current pages, blog posts, folders,
// their current comments and attachments.
func Expected(tn *confluencesim.Tenant, includeArchived bool) map[string]Want {
	crawled := func(status string) bool { return status == "current" || includeArchived && status == "archived" }
	spaces := map[string]*confluencesim.Space{}
	for _, s := range tn.Spaces {
		if crawled(s.Status) {
			spaces[s.ID] = s
		}
	}
	content := map[string]*confluencesim.Content{}
	for _, c := range tn.Content {
		content[c.ID] = c
	}
	// chain returns the ids above c, root first, or ok=false when a node
	// on the way is not current (then c is not crawled either).
	chain := func(c *confluencesim.Content) ([]string, bool) {
		var ids []string
		for p := content[c.ParentID]; c.ParentID != "" && p != nil; p = content[p.ParentID] {
			if !crawled(p.Status) {
				return nil, false
			}
			ids = append([]string{p.ID}, ids...)
			if p.ParentID == "" {
				break
			}
		}
		return ids, true
	}
	out := map[string]Want{}
	containers := map[string][]string{} // container id → its ancestors + itself
	for _, c := range tn.Content {
		sp := spaces[c.SpaceID]
		if sp == nil || !crawled(c.Status) || c.Type == "comment" {
			continue
		}
		w := Want{Type: c.Type, Title: c.Title, SpaceID: sp.ID, SpaceKey: sp.Key, Labels: c.Labels,
			Version: c.Version, Author: c.AuthorID, Body: c.Body}
		if c.Type != "blogpost" {
			anc, ok := chain(c)
			if !ok {
				continue
			}
			w.Ancestors, w.Parent = anc, c.ParentID
		}
		out[c.ID] = w
		if c.Type != "folder" {
			containers[c.ID] = append(slices.Clone(w.Ancestors), c.ID)
		}
	}
	// containerOf follows replies up to the comment on the page or blog
	// post; every comment on the way must be current.
	containerOf := func(c *confluencesim.Content) string {
		for i := 0; c != nil && i < 100; i++ {
			if c.Status != "current" {
				return ""
			}
			if c.ContainerID != "" {
				return c.ContainerID
			}
			c = content[c.ParentCommentID]
		}
		return ""
	}
	for _, c := range tn.Content {
		if c.Type != "comment" {
			continue
		}
		cid := containerOf(c)
		path, ok := containers[cid]
		if !ok {
			continue
		}
		ct := out[cid]
		out[c.ID] = Want{Type: "comment", Title: c.Title, SpaceID: ct.SpaceID, SpaceKey: ct.SpaceKey,
			Parent: cid, Container: cid, Ancestors: path, Labels: c.Labels,
			Version: c.Version, Author: c.AuthorID, Body: c.Body}
	}
	for _, a := range tn.Attachments {
		path, ok := containers[a.ContainerID]
		if a.Status != "current" || !ok {
			continue
		}
		ct := out[a.ContainerID]
		out[a.ID] = Want{Type: "attachment", Title: a.Title, SpaceID: ct.SpaceID, SpaceKey: ct.SpaceKey,
			Parent: a.ContainerID, Container: a.ContainerID, Ancestors: path,
			Version: a.Version, Author: a.AuthorID, Attachment: a}
	}
	return out
}

// Check compares the file sink in dir (of a crawl of site) with the
// documents exp says the tenant must produce (Expected), field by field,
// attachment bytes included, and every document's ACL with the
// brute-force reference evaluator (acltest); a document missing or not
// expected is a mismatch. It fails t on any mismatch and returns the
// documents read.
func Check(t testing.TB, dir, site string, tn *confluencesim.Tenant, exp map[string]Want) map[string]proto.Document {
	t.Helper()
	docs := Documents(t, dir)
	groups := Groups(t, dir)
	h := sink{dir: dir, site: site}
	ref := acltest.New(tn)
	bad := 0
	fail := func(format string, args ...any) {
		bad++
		if bad <= 40 {
			t.Errorf(format, args...)
		}
	}
	for id, w := range exp {
		d, ok := docs[id]
		if !ok {
			fail("missing document %s (%s %q)", id, w.Type, w.Title)
			continue
		}
		checkDoc(fail, h, tn, d, w)
		members := func(gid string) []string {
			var ids []string
			for _, m := range groups[gid].Members {
				ids = append(ids, m.AccountID)
			}
			return ids
		}
		got, public := acl.Expand(d.ACL, members)
		slices.Sort(got)
		if public != ref.Public(id) {
			fail("%s %s: public %v, reference %v", w.Type, id, public, ref.Public(id))
		}
		// A public document admits everyone; its account list need not
		// name them.
		if wantACL := ref.Allowed(id); !public && !slices.Equal(got, wantACL) {
			fail("%s %s: acl allows %v, reference %v", w.Type, id, got, wantACL)
		}
	}
	for id, d := range docs {
		if _, ok := exp[id]; !ok {
			fail("unexpected document %s (%s %q, %s)", id, d.Type, d.Title, describe(tn, id))
		}
	}
	if bad > 0 {
		t.Fatalf("%d mismatches between the sink (%d documents) and the tenant (%d expected)", bad, len(docs), len(exp))
	}
	t.Logf("sink matches the tenant: %d documents, field by field and ACL by ACL", len(docs))
	return docs
}

// sink is where a file sink wrote, and the site it crawled.
type sink struct{ dir, site string }

func checkDoc(fail func(string, ...any), h sink, tn *confluencesim.Tenant, d proto.Document, w Want) {
	id := d.ID
	eq := func(field string, got, want any) {
		if got != want {
			fail("%s %s: %s = %v, want %v", w.Type, id, field, got, want)
		}
	}
	eq("type", d.Type, w.Type)
	eq("title", d.Title, w.Title)
	eq("space_id", d.SpaceID, w.SpaceID)
	eq("space_key", d.SpaceKey, w.SpaceKey)
	eq("version", d.Version, w.Version)
	eq("author", d.Author.AccountID, w.Author)
	eq("parent_id", deref(d.ParentID), w.Parent)
	eq("container_id", deref(d.ContainerID), w.Container)
	if !slices.Equal(nonNil(d.Ancestors), nonNil(w.Ancestors)) {
		fail("%s %s: ancestors %v, want %v", w.Type, id, d.Ancestors, w.Ancestors)
	}
	checkBreadcrumbs(fail, tn, d)
	if w.Type != "attachment" && !sameSet(d.Labels, w.Labels) {
		fail("%s %s: labels %v, want %v", w.Type, id, d.Labels, w.Labels)
	}
	homepage := strings.HasSuffix(d.URL, "/overview") // a space's homepage links to the space
	if !strings.HasPrefix(d.URL, h.site+"/wiki/spaces/"+w.SpaceKey+"/") || !strings.Contains(d.URL, strings.TrimPrefix(id, "att")) && !homepage {
		fail("%s %s: url %q", w.Type, id, d.URL)
	}
	if w.Attachment == nil {
		text, _ := storagetext.Text(w.Body)
		eq("body_text", d.BodyText, text)
		return
	}
	a := w.Attachment
	if d.Attachment == nil {
		fail("attachment %s: no attachment block", id)
		return
	}
	eq("file_name", d.Attachment.FileName, a.Title)
	eq("media_type", d.Attachment.MediaType, a.MediaType)
	eq("size", d.Attachment.Size, a.Size)
	checkExtraction(fail, d, a)
	got, err := os.ReadFile(filepath.Join(h.dir, d.Attachment.Path))
	if err != nil {
		fail("attachment %s: %v", id, err)
		return
	}
	wantBytes, _ := io.ReadAll(tn.Bytes(a))
	if !bytes.Equal(got, wantBytes) {
		fail("attachment %s: %d bytes differ from the tenant's %d", id, len(got), len(wantBytes))
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(nonNil(a), nonNil(b))
}

// describe says what the tenant knows of an id, for failure messages.
func describe(tn *confluencesim.Tenant, id string) string {
	for _, c := range tn.Content {
		if c.ID == id {
			return fmt.Sprintf("tenant: %s status %s space %s parent %q container %q", c.Type, c.Status, c.SpaceID, c.ParentID, c.ContainerID)
		}
	}
	for _, a := range tn.Attachments {
		if a.ID == id {
			return fmt.Sprintf("tenant: attachment status %s container %s", a.Status, a.ContainerID)
		}
	}
	return "not in the tenant"
}

// checkBreadcrumbs checks a document's ancestor titles: one per ancestor,
// each the tenant's title of that node, or "" where the crawl read the
// path from the v2 ancestors route, which names no titles.
func checkBreadcrumbs(fail func(string, ...any), tn *confluencesim.Tenant, d proto.Document) {
	if len(d.AncestorTitles) != len(d.Ancestors) {
		fail("%s %s: %d ancestor titles for %d ancestors", d.Type, d.ID, len(d.AncestorTitles), len(d.Ancestors))
		return
	}
	for i, id := range d.Ancestors {
		if got := d.AncestorTitles[i]; got != "" && got != titleOf(tn, id) {
			fail("%s %s: ancestor %s titled %q, tenant %q", d.Type, d.ID, id, got, titleOf(tn, id))
		}
	}
}

// titleOf is the tenant's title of a content id.
func titleOf(tn *confluencesim.Tenant, id string) string {
	for _, c := range tn.Content {
		if c.ID == id {
			return c.Title
		}
	}
	return ""
}

// checkExtraction: an attachment with a known phrase carries it in its
// body_text, extracted "ok"; every attachment says how its text was found.
func checkExtraction(fail func(string, ...any), d proto.Document, a *confluencesim.Attachment) {
	x := d.Attachment.Extraction
	switch {
	case a.Text != "" && (x != proto.ExtractionOK || !strings.Contains(d.BodyText, a.Text)):
		fail("attachment %s (%s): extraction %q, body_text %q; want ok with %q", d.ID, a.Title, x, d.BodyText, a.Text)
	case x == "":
		fail("attachment %s (%s): no extraction status", d.ID, a.Title)
	}
}

// Documents reads documents/*.json of the file sink in dir, by id.
func Documents(t testing.TB, dir string) map[string]proto.Document {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "documents"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := map[string]proto.Document{}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".json" {
			continue
		}
		var d proto.Document
		readJSON(t, filepath.Join(dir, "documents", e.Name()), &d)
		out[d.ID] = d
	}
	return out
}

// Groups reads identities/groups/*.json of the file sink in dir, by id.
func Groups(t testing.TB, dir string) map[string]proto.Group {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, "identities", "groups"))
	out := map[string]proto.Group{}
	for _, e := range entries {
		var g proto.Group
		readJSON(t, filepath.Join(dir, "identities", "groups", e.Name()), &g)
		out[g.ID] = g
	}
	return out
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
