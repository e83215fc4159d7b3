package storagetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// writer accumulates plain text. Whitespace and line breaks are owed, not
// written, until the next visible character, so that empty elements leave
// no blank lines and no line ends in a space.
type writer struct {
	b       []byte
	space   bool   // a space is owed before the next text
	brk     bool   // a line break is owed
	prefix  string // list marker owed at the start of the next line
	lead    string // a panel's label owed before the next text ("Info:")
	sep     bool   // a space is owed if the next text would join a word
	tabs    int    // table cell separators owed
	soft    int    // > 0 inside a table cell: breaks become spaces
	content int    // visible bytes written so far
}

// block ends the current line (a space inside a table cell).
func (w *writer) block() {
	if w.soft > 0 {
		w.space = true
		return
	}
	w.brk = true
}

// lineBreak is <br>: a new line, a space inside a table cell.
func (w *writer) lineBreak() { w.block() }

// flush writes what is owed before visible text.
func (w *writer) flush() {
	if w.brk {
		if len(w.b) > 0 && w.b[len(w.b)-1] != '\n' {
			w.b = append(w.b, '\n')
		}
		w.brk, w.space = false, false
	}
	atStart := len(w.b) == 0 || w.b[len(w.b)-1] == '\n'
	if w.prefix != "" && atStart {
		w.b = append(w.b, w.prefix...)
		w.prefix, w.space = "", false
		atStart = false
	}
	if w.tabs > 0 {
		for ; w.tabs > 0; w.tabs-- {
			w.b = append(w.b, '\t')
		}
		w.space = false
	}
	if w.lead != "" {
		if w.space && !atStart && w.b[len(w.b)-1] != '\t' {
			w.b = append(w.b, ' ')
		}
		w.b = append(w.b, w.lead...)
		w.b = append(w.b, ' ')
		w.lead, w.space = "", false
		return
	}
	if w.space {
		if !atStart && w.b[len(w.b)-1] != '\t' {
			w.b = append(w.b, ' ')
		}
		w.space = false
	}
}

// setMarker owes a list marker at the start of the next line, indented two
// spaces per enclosing list beyond the first. Inside a table cell there are
// no lines, so there is no marker. A panel's label owed is written first,
// on its own line.
func (w *writer) setMarker(listDepth int, marker string) {
	if w.soft > 0 {
		return
	}
	if w.lead != "" {
		w.leadLine()
	}
	w.prefix = strings.Repeat("  ", max(listDepth-1, 0)) + marker
}

// wordBreak keeps the text before and after apart where they would
// otherwise join into one word: around an inline macro's text ("OPS-1"),
// a space between letters or digits, none before punctuation.
func (w *writer) wordBreak() { w.sep = true }

// joinsWord reports whether r written next would join the last written
// character into one word.
func (w *writer) joinsWord(r rune) bool {
	last, _ := utf8.DecodeLastRune(w.b)
	return len(w.b) > 0 && isWordRune(last) && isWordRune(r)
}

// isWordRune reports letters and digits.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// leadLine writes an owed label on a line of its own.
func (w *writer) leadLine() {
	lead := w.lead
	w.lead = ""
	w.text(lead)
	w.block()
}

// text writes s with whitespace collapsed to single spaces.
func (w *writer) text(s string) {
	for len(s) > 0 {
		r, n := rune(s[0]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s)
		}
		s = s[n:]
		switch {
		case isSpace(r):
			if len(w.b) > 0 || w.tabs > 0 || w.prefix != "" {
				w.space = true
			}
		case dropped(r):
		default:
			if w.sep {
				w.space = w.space || w.joinsWord(r)
				w.sep = false
			}
			w.flush()
			w.b = utf8.AppendRune(w.b, r)
			w.content += n
		}
	}
}

// verbatim writes s keeping its spaces and line breaks (code, <pre>);
// inside a table cell, where there are no lines, it writes s as text.
func (w *writer) verbatim(s string) {
	if w.soft > 0 {
		w.text(s)
		return
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	flushed := false
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		if r == '\r' {
			r = '\n'
		}
		if dropped(r) && r != '\n' && r != '\t' {
			continue
		}
		if !flushed {
			w.flush()
			flushed = true
		}
		w.b = utf8.AppendRune(w.b, r)
		if !isSpace(r) {
			w.content += n
		}
	}
}

// String returns the text without trailing blanks.
func (w *writer) String() string {
	return strings.TrimRightFunc(string(w.b), unicode.IsSpace)
}

// isSpace is white space as HTML collapses it, plus the no-break space
// (&nbsp;), which in a page is layout, not meaning.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v', 0xA0, 0x2007, 0x202F:
		return true
	}
	return r > 0xFF && unicode.Is(unicode.Zs, r)
}

// dropped reports control characters, which carry no text.
func dropped(r rune) bool {
	return r < 0x20 || (r >= 0x7F && r < 0xA0)
}
