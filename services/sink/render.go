package sink

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/storagetext"
	"github.com/conflux-dev/conflux/proto"
)

// maxIncludeDepth bounds includes within included pages.
const maxIncludeDepth = 4

// render converts one document's body to text: mentions named from the
// names the resolver sent along, include and excerpt-include macros
// filled with the included page's text when the include index knows the
// page, every reader of the document may read it (covers), and it is
// not already on the include path (a cycle). What it left out is said in
// notes. An error (the index or the stream unreachable) is worth a retry.
type render struct {
	s     *Service
	ctx   context.Context
	top   *proto.DocumentReady
	path  []string // ids of the documents being rendered, the top first
	notes []string
	err   error
	// includes is set when an include named a page: that page may be
	// written (first or anew) while this document is, and its re-render
	// of this document may land before this document's own write (see
	// lane.renderAgain).
	includes bool
}

// rendered is a body rendered to text, with what was left out.
type rendered struct {
	text  string
	notes []string
	// included: an include named a page (found or not).
	included bool
}

// renderBody renders r's body, and says whether it included a page. A
// body the converter refuses (or panics on) gives empty text and a note,
// so a malformed body never loses its document; only an error reading
// the include index or the documents stream is returned.
func (s *Service) renderBody(ctx context.Context, r *proto.DocumentReady) (res rendered, err error) {
	rd := &render{s: s, ctx: ctx, top: r}
	defer func() {
		if p := recover(); p != nil {
			res, err = rendered{notes: append(rd.notes, fmt.Sprintf("body not converted to text: converter panicked: %v", p))}, nil
		}
	}()
	text, err := rd.convert(r, false)
	if rd.err != nil {
		return rendered{}, rd.err
	}
	if err != nil {
		rd.notes = append(rd.notes, "body not converted to text: "+err.Error())
	}
	return rendered{text: text, notes: rd.notes, included: rd.includes}, nil
}

// convert renders the body (or only its excerpt) of r, which is the top
// document or a page it includes.
func (rd *render) convert(r *proto.DocumentReady, excerpt bool) (string, error) {
	doc := &r.Document
	rd.path = append(rd.path, doc.ID)
	defer func() { rd.path = rd.path[:len(rd.path)-1] }()
	o := storagetext.Options{
		UserName: func(id string) string { return r.UserNames[id] },
		Include: func(space, title string) (string, bool) {
			return rd.include(orSpace(space, doc.SpaceKey), title, false)
		},
		Excerpt: func(space, title string) (string, bool) {
			return rd.include(orSpace(space, doc.SpaceKey), title, true)
		},
	}
	switch {
	case doc.BodyFormat == proto.BodyADF && excerpt:
		rd.notes = append(rd.notes, fmt.Sprintf("excerpt of %q not read: its body is ADF", doc.Title))
		return "", nil
	case doc.BodyFormat == proto.BodyADF:
		return storagetext.ADFText(doc.Body, o)
	case excerpt:
		return storagetext.ExcerptText(doc.Body, o)
	}
	return storagetext.TextWith(doc.Body, o)
}

// include returns the text an include (or excerpt-include) macro shows,
// when the top document may show it.
func (rd *render) include(space, title string, excerpt bool) (string, bool) {
	if rd.err != nil || rd.s.includes == nil {
		return "", false
	}
	what := space + ":" + title
	if len(rd.path) >= maxIncludeDepth {
		rd.note("include of %s left out: includes nested deeper than %d", what, maxIncludeDepth)
		return "", false
	}
	rd.includes = true
	page, err := rd.included(space, title)
	if err != nil {
		rd.err = err
		return "", false
	}
	switch {
	case page == nil:
		rd.note("include of %s left out: the page is not in the crawl", what)
	case slices.Contains(rd.path, page.Document.ID):
		rd.note("include of %s left out: it includes itself", what)
	case !covers(page.Document.ACL, page.Groups, rd.top.Document.ACL):
		rd.note("include of %s left out: not every reader of this document may read it", what)
	default:
		text, err := rd.convert(page, excerpt)
		if err != nil {
			rd.note("include of %s left out: %v", what, err)
			return "", false
		}
		return text, strings.TrimSpace(text) != ""
	}
	return "", false
}

// included registers the top document as an includer of the page, then
// reads the page's last document; nil when the crawl has not written it
// (yet: its arrival re-renders the includers), it was deleted, or the
// title now names another page.
func (rd *render) included(space, title string) (*proto.DocumentReady, error) {
	top := rd.top.Document
	x := rd.s.includes
	if err := x.addIncluder(rd.ctx, space, title, docRef{SpaceID: top.SpaceID, ID: top.ID}); err != nil {
		return nil, err
	}
	ref, ok, err := x.locate(rd.ctx, space, title)
	if err != nil || !ok {
		return nil, err
	}
	page, err := rd.s.lastDocument(rd.ctx, ref)
	if err != nil || page == nil {
		return nil, err
	}
	d := page.Document
	if !strings.EqualFold(d.SpaceKey, space) || !strings.EqualFold(strings.TrimSpace(d.Title), strings.TrimSpace(title)) {
		return nil, nil // renamed since
	}
	return page, nil
}

func (rd *render) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if !slices.Contains(rd.notes, n) {
		rd.notes = append(rd.notes, n)
	}
}

// lastDocument reads a document's last message on the documents stream:
// nil when there is none or it is a tombstone.
func (s *Service) lastDocument(ctx context.Context, ref docRef) (*proto.DocumentReady, error) {
	m, err := bus.LastOnSubject(ctx, s.js, s.docs, proto.StreamDocuments, s.sub.Document(ref.SpaceID, ref.ID))
	if err != nil {
		return nil, fmt.Errorf("read document %s: %w", ref.ID, err)
	}
	doc, _ := m.(*proto.DocumentReady)
	return doc, nil
}

func orSpace(space, own string) string {
	if space == "" {
		return own
	}
	return space
}
