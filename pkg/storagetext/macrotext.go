package storagetext

import (
	"strings"

	"golang.org/x/net/html"
)

// openMacro starts a macro: a block unless the macro flows in its line, and
// the label a panel owes in front of its first line.
func (c *converter) openMacro(f frame, z *html.Tokenizer, hasAttr bool) frame {
	name := attr(z, hasAttr, "ac:name")
	f.spec = lookupMacro(name)
	f.code = htmlMacros[strings.ToLower(name)]
	if c.excerpts && c.skip == 1 && len(c.stack) < maxDepth && strings.EqualFold(name, "excerpt") {
		f.excerpt = true
		c.skip--
	}
	if f.spec.isInline() {
		c.w.wordBreak()
	} else {
		c.w.block()
	}
	if f.spec != nil && f.spec.label != "" && c.skip == 0 && c.capture == nil {
		c.w.lead = f.spec.label
	}
	if f.spec != nil && f.spec.include {
		c.ref = pageRef{}
	}
	return f
}

// closeMacro ends a macro, writing the included page's text for an include
// macro.
func (c *converter) closeMacro(f frame) {
	if f.excerpt {
		defer func() { c.skip++ }()
	}
	if f.spec != nil && f.spec.label != "" {
		c.w.lead = "" // a panel without text leaves no label
	}
	if f.spec != nil && f.spec.include {
		c.writeInclude(f.spec.excerpt)
		c.ref = pageRef{}
	}
	if f.spec.isInline() {
		c.w.wordBreak()
	} else {
		c.w.block()
	}
}

// isInline reports a macro that flows within its line.
func (s *macroSpec) isInline() bool { return s != nil && s.inline }

// openParam starts a macro parameter: captured when the macro keeps it,
// otherwise dropped.
func (c *converter) openParam(f frame, z *html.Tokenizer, hasAttr bool) frame {
	if f.el.name == "ac:parameter" {
		f.param = attr(z, hasAttr, "ac:name")
	}
	if m := c.parent(); m != nil && m.el.kind == macro && m.spec.keeps(f.param) && c.capture == nil && c.skip == 0 {
		c.capture, f.code = &strings.Builder{}, true
	} else {
		c.skip++
	}
	return f
}

// closeParam ends a macro parameter, writing a kept one's value.
func (c *converter) closeParam(f frame) {
	if !f.code {
		c.skip--
		return
	}
	v := c.capture.String()
	c.capture = nil
	m := c.parent()
	switch {
	case m == nil || m.el.kind != macro || strings.TrimSpace(v) == "":
	case m.spec.include:
		if c.ref.title == "" {
			c.ref = parsePageRef(v)
		}
	case m.spec.isInline():
		c.w.wordBreak()
		c.w.text(v)
		c.w.wordBreak()
	default:
		c.w.block()
		c.w.text(v)
		c.w.block()
	}
}

// parent returns the innermost open element, or nil.
func (c *converter) parent() *frame {
	if len(c.stack) == 0 {
		return nil
	}
	return &c.stack[len(c.stack)-1]
}

// openResource reads a link target (ri:page, ri:attachment …): its title
// labels a link without a body, is the value of a kept parameter
// (view-file's attachment) and names an include macro's page.
func (c *converter) openResource(f frame, z *html.Tokenizer, hasAttr bool) {
	label, space := attr2(z, hasAttr, resourceAttr[f.el.name], "ri:space-key")
	if f.el.name == "ri:space" {
		space = label
	}
	if label == "" || c.innermost(resource) != nil { // an attachment's page is not the target
		return
	}
	if l := c.innermost(link); l != nil && (l.fallback == "" || l.weak) {
		l.fallback, l.weak = label, false
	}
	if p := c.innermost(param); p != nil && p.code {
		c.capture.WriteString(" " + label)
	}
	if m := c.innermost(macro); m != nil && m.spec != nil && m.spec.include && c.ref.title == "" &&
		(f.el.name == "ri:page" || f.el.name == "ri:blog-post") {
		c.ref = pageRef{space: space, title: label}
	}
}
