package extract

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// chunk is the read size of the stream readers.
const chunk = 64 << 10

// plainText copies text as it is (Markdown included: its markup is
// mostly punctuation that search ignores), chunk by chunk, keeping a rune
// cut by a chunk's end for the next chunk.
func plainText(_ context.Context, r io.Reader, out *textBuf) error {
	buf := make([]byte, chunk+utf8.UTFMax)
	carry := 0
	for {
		n, err := r.Read(buf[carry : carry+chunk])
		n += carry
		keep := incompleteTail(buf[:n], err == nil)
		if werr := out.Text(string(buf[:n-keep])); werr != nil {
			return werr
		}
		carry = copy(buf, buf[n-keep:n])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// incompleteTail is how many bytes at the end of b start a rune that is
// not complete yet (0 at the end of the input).
func incompleteTail(b []byte, more bool) int {
	if !more {
		return 0
	}
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}

// csvText writes each record on a line, its fields separated by blanks.
// Quotes are read leniently and records may differ in length.
func csvText(_ context.Context, r io.Reader, out *textBuf) error {
	cr := csv.NewReader(r)
	cr.LazyQuotes, cr.FieldsPerRecord, cr.ReuseRecord = true, -1, true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("csv: %w", err)
		}
		for _, f := range rec {
			if err := writeCell(out, f); err != nil {
				return err
			}
		}
		if err := out.Newline(); err != nil {
			return err
		}
	}
}

// writeCell writes a cell's text followed by a blank.
func writeCell(out *textBuf, s string) error {
	if err := out.Text(s); err != nil {
		return err
	}
	return out.Blank()
}
