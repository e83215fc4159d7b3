package storagetext

// kind says how an element is rendered.
type kind uint8

const (
	inline      kind = iota // transparent: its text flows (a, span, ac:link-body …); not in the elements table
	block                   // on its own lines (p, h1, div, ac:layout-cell …)
	skip                    // its content is dropped (ac:parameter, script, ac:placeholder …)
	list                    // ul, ac:task-list
	orderedList             // ol
	listItem                // li
	table                   // table
	row                     // tr
	cell                    // td, th
	pre                     // pre: white space kept
	lineBreak               // br (void)
	rule                    // hr (void)
	macro                   // ac:structured-macro, ac:macro: reads ac:name
	param                   // ac:parameter, ac:default-parameter: kept as text when the macro's spec says so
	plainBody               // ac:plain-text-body: verbatim (code), or HTML for the html macro
	richBody                // ac:rich-text-body
	link                    // ac:link: body, else the target's title or file name
	resource                // ri:page, ri:attachment …: a link target
	user                    // ri:user: a mention, named by Options.UserName
	timeElem                // time: its datetime when it has no text
	task                    // ac:task
	taskStatus              // ac:task-status: "complete" or "incomplete", captured
	taskBody                // ac:task-body
	void                    // other void elements (img, col …): nothing
)

type element struct {
	kind kind
	name string // the canonical tag name, kept in frames without allocating
}

var elements = func() map[string]element {
	m := map[string]element{}
	add := func(k kind, names ...string) {
		for _, n := range names {
			m[n] = element{kind: k, name: n}
		}
	}
	add(block, "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "header",
		"footer", "nav", "aside", "main", "figure", "figcaption", "address", "details", "summary", "center",
		"dl", "dt", "dd", "caption", "thead", "tbody", "tfoot", "colgroup",
		"ac:layout", "ac:layout-section", "ac:layout-cell", "ac:caption", "ac:adf-extension", "ac:adf-node",
		"ac:adf-content")
	add(skip, "ac:placeholder", "ac:task-id", "ac:task-uuid",
		"ac:emoticon", "ac:adf-attribute", "ac:adf-fallback", "script", "style", "head", "title",
		"template", "noscript", "iframe", "noembed", "noframes", "object", "svg", "math")
	add(list, "ul", "ac:task-list")
	add(orderedList, "ol")
	add(listItem, "li")
	add(table, "table")
	add(row, "tr")
	add(cell, "td", "th")
	add(pre, "pre", "xmp", "plaintext", "listing", "textarea")
	add(lineBreak, "br")
	add(rule, "hr")
	add(macro, "ac:structured-macro", "ac:macro")
	add(param, "ac:parameter", "ac:default-parameter")
	add(user, "ri:user")
	add(plainBody, "ac:plain-text-body")
	add(richBody, "ac:rich-text-body")
	add(link, "ac:link")
	add(resource, "ri:page", "ri:blog-post", "ri:attachment", "ri:space", "ri:url", "ri:content-entity", "ri:shortcut")
	add(timeElem, "time")
	add(task, "ac:task")
	add(taskStatus, "ac:task-status")
	add(taskBody, "ac:task-body")
	add(void, "img", "col", "input", "meta", "link", "area", "base", "embed", "param", "source", "track", "wbr", "keygen")
	return m
}()

// isVoid reports elements that never have content, so that "<br>" or
// "<img …>" without a slash is not left open.
func (k kind) isVoid() bool { return k == lineBreak || k == rule || k == void }

// resourceAttr names the attribute of a ri: element that labels a link to it.
var resourceAttr = map[string]string{
	"ri:page":           "ri:content-title",
	"ri:blog-post":      "ri:content-title",
	"ri:attachment":     "ri:filename",
	"ri:space":          "ri:space-key",
	"ri:url":            "ri:value",
	"ri:content-entity": "ri:content-id",
	"ri:shortcut":       "ri:parameter",
}

// htmlMacros hold HTML in their ac:plain-text-body, converted in turn;
// every other macro's plain-text body (code, noformat …) is kept verbatim.
var htmlMacros = map[string]bool{"html": true, "html-include": true}
