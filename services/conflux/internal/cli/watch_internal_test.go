package cli

import (
	"bytes"
	"testing"
)

// TestClearScreenOffTerminal: piped to a file or another program, `status
// --watch` readings follow one another, separated by a blank line, with no
// terminal escapes.
func TestClearScreenOffTerminal(t *testing.T) {
	var b bytes.Buffer
	clearScreen(&b, true)
	b.WriteString("reading 1\n")
	clearScreen(&b, false)
	b.WriteString("reading 2\n")
	if got, want := b.String(), "reading 1\n\nreading 2\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
