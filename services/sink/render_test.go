package sink

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// includeMacro is an include (or excerpt-include) macro naming a page by
// title in the storage shape Confluence writes.
func includeMacro(name, spaceKey, title string) string {
	space := ""
	if spaceKey != "" {
		space = ` ri:space-key="` + spaceKey + `"`
	}
	return `<ac:structured-macro ac:name="` + name + `" ac:schema-version="1"><ac:parameter ac:name=""><ac:link><ri:page` + space +
		` ri:content-title="` + title + `"/></ac:link></ac:parameter></ac:structured-macro>`
}

// TestIncludesArriveInAnyOrder writes includers before and after the
// pages they include and checks the text each ends with: the included
// text where every reader may read the page, nothing where some may not,
// the excerpt only for excerpt-include, and a change of the included page
// reaching its includers.
func TestIncludesArriveInAnyOrder(t *testing.T) {
	e := newEnv(t)
	e.start()
	includer := page("c1", "S1", "10", 1)
	includer.Document.Body = `<p>Intro by <ac:link><ri:user ri:account-id="acc-a"/></ac:link>.</p>` +
		includeMacro("include", "", "Shared steps") + includeMacro("include", "KS1", "Secret plan") +
		includeMacro("excerpt-include", "", "Glossary") + includeMacro("include", "", "Not crawled")
	includer.UserNames = map[string]string{"acc-a": "Ada Lovelace"}
	e.ready(includer) // before every page it includes
	e.waitWritten("c1", "S1", "10")

	shared := page("c1", "S1", "11", 1)
	shared.Document.Title, shared.Document.Body = "Shared steps", "<p>Step one: drain.</p>"
	shared.Document.ACL = proto.ACL{Groups: []string{"g-eng"}}
	shared.Groups = []proto.Group{{ID: "g-eng", Members: []proto.GroupMember{{AccountID: "acc-a", Email: "a@x.com"}}}}
	secret := page("c1", "S1", "12", 1)
	secret.Document.Title, secret.Document.Body = "Secret plan", "<p>Merger codename Bluebird.</p>"
	secret.Document.ACL = proto.ACL{AccountIDs: []string{"acc-z"}}
	glossary := page("c1", "S1", "13", 1)
	glossary.Document.Title = "Glossary"
	glossary.Document.Body = `<p>Whole glossary page.</p><ac:structured-macro ac:name="excerpt"><ac:rich-text-body><p>SLO: service level objective</p></ac:rich-text-body></ac:structured-macro>`
	for _, r := range []*proto.DocumentReady{shared, secret, glossary} {
		e.ready(r)
	}
	e.waitWritten("c1", "S1", "11", "12", "13")
	got := e.bodyText("10")
	for _, want := range []string{"Intro by Ada Lovelace.", "Step one: drain.", "SLO: service level objective"} {
		if !strings.Contains(got, want) {
			t.Errorf("includer text lacks %q:\n%s", want, got)
		}
	}
	for _, leak := range []string{"Bluebird", "Whole glossary", "acc-a"} {
		if strings.Contains(got, leak) {
			t.Errorf("includer text has %q:\n%s", leak, got)
		}
	}

	later := page("c1", "S1", "14", 1) // written after the page it includes
	later.Document.Body = includeMacro("include", "KS1", "Shared steps")
	e.ready(later)
	e.waitWritten("c1", "S1", "14")
	if got := e.bodyText("14"); got != "Step one: drain." {
		t.Errorf("later includer = %q", got)
	}
	o, _ := e.outcome("c1", "S1", "10")
	if !strings.Contains(o.Reason, "Not crawled left out: the page is not in the crawl") {
		t.Errorf("includer's reason = %q", o.Reason)
	}

	changed := page("c2", "S1", "11", 2) // the included page changes: its includers follow
	changed.Document.Title, changed.Document.Body = "Shared steps", "<p>Step one: drain the queue first.</p>"
	changed.Document.ACL, changed.Groups = shared.Document.ACL, shared.Groups
	e.ready(changed)
	e.waitWritten("c2", "S1", "11")
	for _, id := range []string{"10", "14"} {
		if got := e.bodyText(id); !strings.Contains(got, "drain the queue first") {
			t.Errorf("includer %s not rendered again: %q", id, got)
		}
	}

	narrowed := page("c3", "S1", "11", 2) // now restricted to someone else: the text leaves the includers
	narrowed.Document.Title, narrowed.Document.Body = "Shared steps", changed.Document.Body
	narrowed.Document.ACL = proto.ACL{AccountIDs: []string{"acc-z"}}
	narrowed.ACLOnly = true
	e.ready(narrowed)
	e.waitWritten("c3", "S1", "11")
	for _, id := range []string{"10", "14"} {
		if got := e.bodyText(id); strings.Contains(got, "drain") {
			t.Errorf("includer %s still shows a page its readers may not read: %q", id, got)
		}
	}
}

func TestIncludeCycle(t *testing.T) {
	e := newEnv(t)
	e.start()
	a := page("c1", "S1", "1", 1)
	a.Document.Title, a.Document.Body = "A", "<p>alpha</p>"+includeMacro("include", "", "B")
	b := page("c1", "S1", "2", 1)
	b.Document.Title, b.Document.Body = "B", "<p>beta</p>"+includeMacro("include", "", "A")
	e.ready(a)
	e.ready(b)
	e.waitWritten("c1", "S1", "1", "2")
	eventually(t, "both rendered with each other", func() bool {
		return e.bodyText("1") == "alpha\nbeta" && e.bodyText("2") == "beta\nalpha"
	})
}

func (e *env) bodyText(id string) string {
	e.t.Helper()
	d, ok, err := e.sink.Get(id)
	if err != nil || !ok {
		e.t.Fatalf("document %s: %v %v", id, ok, err)
	}
	return d.BodyText
}

// TestADFBodyWithMentionsAndIncludes: a body in ADF is converted by the
// same rules, names and includes included.
func TestADFBodyWithMentionsAndIncludes(t *testing.T) {
	e := newEnv(t)
	e.start()
	shared := page("c1", "S1", "21", 1)
	shared.Document.Title, shared.Document.Body = "Shared steps", "<p>Step one: drain.</p>"
	e.ready(shared)
	adf := page("c1", "S1", "20", 1)
	adf.Document.BodyFormat = proto.BodyADF
	adf.Document.Body = `{"version":1,"type":"doc","content":[` +
		`{"type":"paragraph","content":[{"type":"text","text":"Owner: "},{"type":"mention","attrs":{"id":"acc-a","text":"@stale"}}]},` +
		`{"type":"extension","attrs":{"extensionKey":"include","parameters":{"macroParams":{"":{"value":"KS1:Shared steps"}}}}}]}`
	adf.UserNames = map[string]string{"acc-a": "Ada Lovelace"}
	e.ready(adf)
	e.waitWritten("c1", "S1", "20", "21")
	eventually(t, "the ADF page rendered with its include", func() bool {
		return e.bodyText("20") == "Owner: Ada Lovelace\nStep one: drain."
	})
}

// holdFirstUpsert holds the first write of one document until a later
// write of it has been made (or a while has passed), as a slow batch
// does when the included page's re-render of that document overtakes it.
type holdFirstUpsert struct {
	Sink
	id      string
	mu      sync.Mutex
	seen    int
	held    chan struct{} // closed when the first write of id is held
	release chan struct{} // closed when a later write of id was made
}

func (h *holdFirstUpsert) Upsert(ctx context.Context, items []sinkport.Item) error {
	n := 0
	if slices.ContainsFunc(items, func(it sinkport.Item) bool { return it.Doc.ID == h.id }) {
		h.mu.Lock()
		h.seen++
		n = h.seen
		h.mu.Unlock()
	}
	if n == 1 {
		close(h.held)
		select {
		case <-h.release:
		case <-time.After(10 * time.Second):
		}
	}
	err := h.Sink.Upsert(ctx, items)
	if n == 2 {
		close(h.release)
	}
	return err
}

// TestIncluderWriteOvertakenByItsRerender: an includer rendered before
// the page it includes was written, whose own write lands after the
// page's re-render of it, still ends with the included text (CI once
// caught the stale write winning in the whole-crawl test).
func TestIncluderWriteOvertakenByItsRerender(t *testing.T) {
	e := newEnv(t)
	hold := &holdFirstUpsert{Sink: e.deps.Sink, id: "10", held: make(chan struct{}), release: make(chan struct{})}
	e.deps.Sink = hold
	e.start()
	includer := page("c1", "S1", "10", 1)
	includer.Document.Body = "<p>Intro.</p>" + includeMacro("include", "", "Shared steps")
	e.ready(includer)
	select {
	case <-hold.held: // rendered without the page, its write held
	case <-time.After(waitFor):
		t.Fatal("the includer was never written")
	}
	shared := page("c1", "S1", "11", 1)
	shared.Document.Title, shared.Document.Body = "Shared steps", "<p>Step one: drain.</p>"
	e.ready(shared)
	e.waitWritten("c1", "S1", "10", "11")
	if got := e.bodyText("10"); got != "Intro.\nStep one: drain." {
		t.Errorf("includer text = %q, want the included page's text too", got)
	}
	if o, _ := e.outcome("c1", "S1", "10"); strings.Contains(o.Reason, "not in the crawl") {
		t.Errorf("includer's reason = %q, though it was written with the page", o.Reason)
	}
}
