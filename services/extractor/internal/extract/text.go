package extract

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// errFull stops a reader once the text reached its limit.
var errFull = errors.New("text limit reached")

// textBuf collects the extracted text up to a limit, always valid UTF-8,
// with runs of white space collapsed (newlines kept, at most two in a
// row). Every write checks the context, so a slow parser that keeps
// producing text stops at the time limit.
type textBuf struct {
	ctx       context.Context
	b         strings.Builder
	max       int
	truncated bool
	space     bool // a blank is pending before the next word
	newlines  int  // newlines at the end of b
}

func newTextBuf(ctx context.Context, max int) *textBuf {
	return &textBuf{ctx: ctx, max: max, newlines: 2}
}

// adopt takes over the text and state of a buffer whose writer is done.
func (t *textBuf) adopt(o *textBuf) {
	t.b.Reset()
	t.b.WriteString(o.b.String())
	t.truncated, t.space, t.newlines = o.truncated, o.space, o.newlines
}

// String returns the text without trailing white space.
func (t *textBuf) String() string { return strings.TrimRightFunc(t.b.String(), unicode.IsSpace) }

// Text adds s: white space becomes one blank (a newline stays a newline),
// invalid UTF-8 becomes U+FFFD. It returns errFull once the limit is
// reached, or the context's error.
func (t *textBuf) Text(s string) error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if err := t.rune(r); err != nil {
			return err
		}
	}
	return nil
}

// Newline ends a line (a paragraph, a row); several in a row become at
// most one empty line.
func (t *textBuf) Newline() error { return t.rune('\n') }

// Blank separates two words (cells, runs of text) unless one is pending.
func (t *textBuf) Blank() error { return t.rune(' ') }

func (t *textBuf) rune(r rune) error {
	switch {
	case r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == 0x2028 || r == 0x2029:
		t.space = false
		if t.newlines >= 2 {
			return nil
		}
		t.newlines++
		return t.put('\n')
	case unicode.IsSpace(r) || r == 0 || unicode.IsControl(r):
		if t.newlines == 0 {
			t.space = true
		}
		return nil
	}
	if t.space {
		t.space = false
		if err := t.put(' '); err != nil {
			return err
		}
	}
	t.newlines = 0
	return t.put(r)
}

func (t *textBuf) put(r rune) error {
	if t.b.Len()+utf8.RuneLen(r) > t.max {
		t.truncated = true
		return errFull
	}
	t.b.WriteRune(r)
	return nil
}

// oneLine makes s a single line of at most max bytes.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
