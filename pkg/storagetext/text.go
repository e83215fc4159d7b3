// Package storagetext turns Confluence's storage format (XHTML with ac: and
// ri: elements, CDATA in ac:plain-text-body, HTML entities) into plain text
// for a search index.
//
// What is kept: headings, paragraphs and other blocks each on their own
// line; list items one a line with "- " (or "1. " in ordered lists, "- [ ] "
// and "- [x] " in task lists) indented two spaces a level; table rows one a
// line with cells separated by tabs, so that the keys and values of a page
// properties (details) table stay paired; code and noformat macro bodies
// verbatim (in a table cell, on the row); link texts, and for a link
// without text the title of the page or blog post, the attachment's file
// name, the space key, the URL or the anchor it points to; the date of a
// <time> element; the bodies of all macros. Of macro parameters only those
// that are text: a Jira issue key and a Jira table's JQL, a status
// lozenge's title (both in their line), the title of an expand, panel,
// info, note, warning or tip macro (on its own line), and the attachment a
// view-file macro shows. The info, note, warning and tip panels keep a
// label ("Info:", "Note:", "Warning:", "Tip:") in front of their text.
// Mentions become the user's display name and include and excerpt-include
// macros the included page's text, both only when the caller supplies them
// through Options (TextWith); nothing is fetched.
//
// ADFText applies the same rules to a body in Atlassian Document Format
// (atlas_doc_format JSON): paragraphs, headings, lists, task and decision
// lists, tables, code blocks, panels (labelled also "Error:", "Success:"),
// expands, mentions, status lozenges, smart-link cards (their address),
// dates, and extension nodes, which are macros and keep what macros keep.
// Emoji, media and placeholders are dropped there as here.
//
// What is dropped: all markup; the parameters of every other macro, among
// them those known to carry only presentation (toc, children, pagetree,
// recently-updated, contentbylabel, anchor, column, section, space-details,
// gallery, attachments …); mentions whose name is not supplied (an account
// id is never written); emoticons, images, placeholders, scripts and
// styles. White space is collapsed, no-break spaces included.
//
// The input is tokenized with golang.org/x/net/html, a maintained HTML5
// tokenizer, and walked with a small stack of open elements instead of
// building an HTML5 tree: the tree builder's rules for misplaced tables and
// foreign content do not fit namespaced ac: elements, and streaming keeps
// memory flat. Malformed input is survived: unclosed elements close at the
// end, stray end tags are ignored, an end tag closes the elements left
// open inside it, bad entities stay as written, invalid UTF-8 becomes
// U+FFFD and control characters are dropped.
package storagetext

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// ErrNotText is returned for input that is mostly not text at all, such as
// the bytes of a binary file passed by mistake.
var ErrNotText = errors.New("not text")

// maxDepth bounds the stack of open elements; deeper elements are treated as
// inline so that hostile nesting costs neither memory nor quadratic time.
const maxDepth = 512

// maxHTMLNesting bounds html macros inside html macros.
const maxHTMLNesting = 3

// Text converts a storage-format body to plain text. It never panics.
//
// It returns an error (wrapping ErrNotText) only when at least 30% of the
// input's bytes are invalid UTF-8 or control characters: that is binary
// data, not a page, and its "text" would be noise. Anything less is
// repaired (invalid bytes become U+FFFD, control characters are dropped)
// and converted. Empty input gives "". Text is TextWith with the zero
// Options: mentions and include macros are left out.
func Text(storage string) (string, error) {
	return convert(storage, Options{})
}

// convert is Text and TextWith.
func convert(storage string, o Options) (string, error) {
	return convertWith(storage, converter{o: o})
}

// convertWith runs the converter c, set up by its caller, over storage.
func convertWith(storage string, c converter) (string, error) {
	if bad := binaryBytes(storage); bad*10 >= len(storage)*3 && len(storage) > 0 {
		return "", fmt.Errorf("storage text: %w: %d of %d bytes are invalid UTF-8 or control characters", ErrNotText, bad, len(storage))
	}
	if !utf8.ValidString(storage) {
		storage = strings.ToValidUTF8(storage, "\uFFFD")
	}
	if c.excerpts {
		c.skip = 1 // until an excerpt macro opens
	}
	c.run(storage, 0)
	return c.w.String(), nil
}

// binaryBytes counts the bytes of s that are invalid UTF-8 or control
// characters other than white space.
func binaryBytes(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') {
			n += size
		}
		i += size
	}
	return n
}

// frame is an open element.
type frame struct {
	el       element
	mark     int        // w.content when the element opened (link, time: was text written?)
	pos      int        // len(w.b) when a verbatim element opened
	fallback string     // text for a link or time element that wrote none
	weak     bool       // the fallback is a link's anchor, which a ri: target replaces
	ordinal  int        // ordered lists: the next number
	cells    int        // tables: the cells seen in the current row
	code     bool       // macros: the plain-text body is HTML; bodies, task status: capturing
	status   string     // ac:task: the captured ac:task-status
	spec     *macroSpec // macros: what of the macro is text; nil for a macro not in macroSpecs
	param    string     // ac:parameter: its ac:name
	excerpt  bool       // macros: an excerpt macro whose body ExcerptText writes
}

type converter struct {
	w         writer
	stack     []frame
	skip      int              // > 0 inside an element whose content is dropped
	pre       int              // > 0 inside pre or a plain-text body: white space kept
	listDepth int              // open lists
	fresh     bool             // nothing written yet in the current verbatim element
	capture   *strings.Builder // non-nil: text goes here (task status, html macro body)
	nesting   int              // depth of html macros
	o         Options          // user names and included pages
	ref       pageRef          // the page named by the open include macro
	excerpts  bool             // ExcerptText: only the bodies of excerpt macros are written
}

func (c *converter) run(s string, nesting int) {
	c.nesting = nesting
	z := html.NewTokenizerFragment(strings.NewReader(s), "")
	z.AllowCDATA(true)
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			c.closeAll()
			return
		case html.TextToken:
			c.onText(z)
		case html.StartTagToken, html.SelfClosingTagToken:
			c.onStart(z, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			c.onEnd(z)
		}
	}
}

func (c *converter) onText(z *html.Tokenizer) {
	var s string
	if raw := z.Raw(); bytes.HasPrefix(raw, []byte("<![CDATA[")) {
		s = string(bytes.TrimSuffix(raw[len("<![CDATA["):], []byte("]]>"))) // CDATA is never unescaped
	} else {
		s = string(z.Text())
	}
	switch {
	case c.skip > 0:
	case c.capture != nil:
		c.capture.WriteString(s)
	case c.pre > 0:
		if c.fresh { // a code block starts at its first non-blank line
			s = strings.TrimLeftFunc(s, func(r rune) bool { return r != '\t' && dropped(r) })
			c.fresh = s == ""
		}
		c.w.verbatim(s)
	default:
		c.w.text(s)
	}
}

func (c *converter) onStart(z *html.Tokenizer, selfClosing bool) {
	name, hasAttr := z.TagName()
	el, known := elements[string(name)]
	if isRawTextTag(name) && (selfClosing || !(el.name == "script" || el.name == "style")) {
		// Parse inside <xmp>, <textarea> … so that no markup is left; script
		// and style stay raw (their content is dropped) unless self-closed.
		z.NextIsNotRawText()
	}
	if !known || el.kind == inline {
		return
	}
	if el.kind.isVoid() {
		c.open(frame{el: el}, z, hasAttr)
		c.close(frame{el: el})
		return
	}
	if len(c.stack) >= maxDepth {
		return
	}
	f := c.open(frame{el: el, mark: c.w.content}, z, hasAttr)
	if selfClosing {
		c.close(f)
		return
	}
	c.stack = append(c.stack, f)
}

func (c *converter) onEnd(z *html.Tokenizer) {
	name, _ := z.TagName()
	if string(name) == "br" { // "</br>" is a <br> in HTML5
		c.w.lineBreak()
		return
	}
	for i := len(c.stack) - 1; i >= 0; i-- {
		if c.stack[i].el.name == string(name) {
			for j := len(c.stack) - 1; j >= i; j-- {
				f := c.stack[j]
				c.stack = c.stack[:j]
				c.close(f)
			}
			return
		}
	}
}

func (c *converter) closeAll() {
	for len(c.stack) > 0 {
		f := c.stack[len(c.stack)-1]
		c.stack = c.stack[:len(c.stack)-1]
		c.close(f)
	}
}

func isRawTextTag(name []byte) bool {
	switch string(name) {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp":
		return true
	}
	return false
}

// attr2 returns the values of attributes key1 and key2 of the current tag.
func attr2(z *html.Tokenizer, hasAttr bool, key1, key2 string) (v1, v2 string) {
	for more := hasAttr; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		switch string(k) {
		case key1:
			v1 = string(v)
		case key2:
			v2 = string(v)
		}
	}
	return v1, v2
}

// attr returns the value of attribute key of the current tag.
func attr(z *html.Tokenizer, hasAttr bool, key string) string {
	for more := hasAttr; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if string(k) == key {
			return string(v)
		}
	}
	return ""
}
