package storagetext

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// open renders the start of an element and returns its frame.
func (c *converter) open(f frame, z *html.Tokenizer, hasAttr bool) frame {
	switch f.el.kind {
	case block, table, row, rule, richBody, task:
		c.w.block()
		if f.el.kind == row {
			if t := c.innermost(table); t != nil {
				t.cells = 0
			}
			c.w.tabs = 0 // the separators an empty last cell owed end with its row
		}
	case skip:
		c.skip++
	case list, orderedList:
		c.w.block()
		c.listDepth++
		f.ordinal = 1
		if n, err := strconv.Atoi(attr(z, hasAttr, "start")); err == nil && f.el.kind == orderedList {
			f.ordinal = n
		}
	case listItem:
		c.w.block()
		c.setMarker(c.itemMarker())
	case cell:
		if t := c.innermost(table); t != nil && t.cells > 0 {
			c.w.tabs++
		} else if t == nil {
			c.w.space = true
		}
		if t := c.innermost(table); t != nil {
			t.cells++
		}
		c.w.soft++
	case pre:
		c.w.block()
		c.pre++
		c.fresh, f.pos = true, len(c.w.b)
	case lineBreak:
		c.w.lineBreak()
	case macro:
		f = c.openMacro(f, z, hasAttr)
	case param:
		f = c.openParam(f, z, hasAttr)
	case plainBody:
		c.w.block()
		if m := c.innermost(macro); m != nil && m.code && c.capture == nil {
			c.capture, f.code = &strings.Builder{}, true
		} else {
			c.pre++
			c.fresh, f.pos = true, len(c.w.b)
		}
	case link:
		f.fallback, f.weak = attr(z, hasAttr, "ac:anchor"), true
	case resource:
		c.openResource(f, z, hasAttr)
	case user:
		c.openUser(z, hasAttr)
	case timeElem:
		f.fallback = attr(z, hasAttr, "datetime")
	case taskStatus:
		if c.capture == nil {
			c.capture, f.code = &strings.Builder{}, true
		}
	case taskBody:
		c.w.block()
		marker := "- [ ] "
		if t := c.innermost(task); t != nil && strings.EqualFold(strings.TrimSpace(t.status), "complete") {
			marker = "- [x] "
		}
		c.setMarker(marker)
	}
	return f
}

// close renders the end of an element.
func (c *converter) close(f frame) {
	switch f.el.kind {
	case block, table, row, rule, richBody, task:
		c.w.block()
	case macro:
		c.closeMacro(f)
	case param:
		c.closeParam(f)
	case skip:
		c.skip--
	case list, orderedList:
		c.listDepth--
		c.w.block()
	case listItem, taskBody:
		c.w.block()
		c.w.prefix = "" // an empty item leaves no marker behind
	case cell:
		c.w.soft--
	case pre:
		c.pre--
		c.endVerbatim(f.pos)
	case plainBody:
		if f.code {
			body := c.capture.String()
			c.capture = nil
			c.writeHTML(body)
		} else {
			c.pre--
			c.endVerbatim(f.pos)
		}
	case link, timeElem:
		if c.w.content == f.mark && f.fallback != "" && c.skip == 0 && c.capture == nil {
			c.w.text(f.fallback)
		}
	case taskStatus:
		if f.code {
			if t := c.innermost(task); t != nil {
				t.status = c.capture.String()
			}
			c.capture = nil
		}
	}
}

// setMarker owes a list marker at the start of the next line (see
// writer.setMarker).
func (c *converter) setMarker(marker string) {
	c.w.setMarker(c.listDepth, marker)
}

// itemMarker is "- " in a bulleted list and "N. " in an ordered one.
func (c *converter) itemMarker() string {
	for i := len(c.stack) - 1; i >= 0; i-- {
		switch c.stack[i].el.kind {
		case orderedList:
			n := c.stack[i].ordinal
			c.stack[i].ordinal++
			return strconv.Itoa(n) + ". "
		case list:
			return "- "
		}
	}
	return "- "
}

// innermost returns the innermost open element of kind k, or nil.
func (c *converter) innermost(k kind) *frame {
	for i := len(c.stack) - 1; i >= 0; i-- {
		if c.stack[i].el.kind == k {
			return &c.stack[i]
		}
	}
	return nil
}

// endVerbatim drops the line breaks that end a code block (the block break
// that follows is enough) and ends the block.
func (c *converter) endVerbatim(pos int) {
	b := c.w.b
	for len(b) > pos && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	c.w.b = b
	c.w.block()
}

// writeHTML renders the body of an html macro, itself HTML, on its own
// lines; past maxHTMLNesting it is written as text.
func (c *converter) writeHTML(body string) {
	c.w.block()
	if c.nesting >= maxHTMLNesting {
		c.w.text(body)
	} else {
		inner := converter{o: c.o}
		inner.run(body, c.nesting+1)
		c.w.verbatim(inner.w.String())
	}
	c.w.block()
}
