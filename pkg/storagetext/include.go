package storagetext

import "strings"

// pageRef names a page by space key and title, as include macros do.
type pageRef struct {
	space, title string
}

// parsePageRef reads the "SPACE:Title" or "Title" form of an include
// macro's parameter (the old ac:macro format and ADF macro parameters).
// The part before the first colon is a space key only when it looks like
// one: upper-case letters and digits, or "~" and a personal space's name.
func parsePageRef(s string) pageRef {
	s = strings.TrimSpace(s)
	if k, t, ok := strings.Cut(s, ":"); ok && isSpaceKey(k) && strings.TrimSpace(t) != "" {
		return pageRef{space: k, title: strings.TrimSpace(t)}
	}
	return pageRef{title: s}
}

// isSpaceKey reports whether s has the form of a space key.
func isSpaceKey(s string) bool {
	if rest, personal := strings.CutPrefix(s, "~"); personal {
		return rest != "" && !strings.ContainsFunc(rest, isSpace)
	}
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// writeInclude writes the text Options.Include supplies for the page the
// open include macro names, one line per line, or nothing.
func (c *converter) writeInclude(excerpt bool) {
	if c.skip > 0 || c.capture != nil {
		return
	}
	text, ok := c.o.include(c.ref.space, c.ref.title, excerpt)
	if !ok {
		return
	}
	writeLines(&c.w, text)
}

// writeLines writes plain text supplied by a caller in its own block, one
// line per line, white space collapsed.
func writeLines(w *writer, text string) {
	w.block()
	for line := range strings.Lines(text) {
		w.text(line)
		w.block()
	}
}
