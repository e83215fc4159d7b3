package userscsv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

var errUTF16 = errors.New("the file is UTF-16; export or save it as UTF-8 CSV")

// errOpen marks a record whose quoted field is still open at its end.
var errOpen = errors.New("unterminated quoted field")

// lineReader yields physical lines without their line ending, numbered
// from 1, with a stack of lines pushed back.
type lineReader struct {
	r     *bufio.Reader
	n     int // number of the last line read from r
	back  []numbered
	first bool
}

type numbered struct {
	text    string
	n       int
	tooLong bool // the line was longer than maxLineBytes; text is ""
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), first: true}
}

// next returns the next line, or io.EOF.
func (l *lineReader) next() (numbered, error) {
	if k := len(l.back); k > 0 {
		ln := l.back[k-1]
		l.back = l.back[:k-1]
		return ln, nil
	}
	s, tooLong, err := l.readLine()
	if err != nil && (!errors.Is(err, io.EOF) || (s == "" && !tooLong)) {
		return numbered{n: l.n + 1}, err
	}
	l.n++
	if tooLong {
		l.first = false
		return numbered{n: l.n, tooLong: true}, nil
	}
	if l.first {
		l.first = false
		if strings.HasPrefix(s, "\xff\xfe") || strings.HasPrefix(s, "\xfe\xff") {
			return numbered{n: l.n}, errUTF16
		}
		s = strings.TrimPrefix(s, "\uFEFF")
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return numbered{text: s, n: l.n}, nil
}

// readLine reads up to and including the next '\n' (or to the end). A line
// longer than maxLineBytes is read to its end but not kept: it comes back
// as "" with tooLong set, so that memory stays bounded whatever the input.
func (l *lineReader) readLine() (string, bool, error) {
	var line []byte
	tooLong := false
	for {
		frag, err := l.r.ReadSlice('\n')
		if !tooLong && len(line)+len(frag) > maxLineBytes {
			tooLong, line = true, nil
		}
		if !tooLong {
			line = append(line, frag...)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return string(line), tooLong, err
		}
	}
}

// push returns lines to be read again, the first of them next.
func (l *lineReader) push(lines []numbered) {
	for i := len(lines) - 1; i >= 0; i-- {
		l.back = append(l.back, lines[i])
	}
}

// readRecord returns the next record and the number of its first line. A
// line longer than maxLineBytes is reported as ErrLineTooLong. A record
// whose quoted field stays open across maxRecordLines lines (or to the end,
// or to a line too long) is reported as ErrQuote at its first line, and the
// lines after that first line are read again as records of their own.
func readRecord(l *lineReader) ([]string, int, error) {
	first, err := l.next()
	if err != nil {
		return nil, first.n, err
	}
	if first.tooLong {
		return nil, first.n, fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, maxLineBytes)
	}
	text := first.text
	var more []numbered
	for {
		fields, err := splitRecord(text)
		if !errors.Is(err, errOpen) {
			if err != nil && len(more) > 0 {
				l.push(more) // one bad record must not swallow the lines it was joined with
			}
			return fields, first.n, err
		}
		next, nerr := l.next()
		if nerr != nil || next.tooLong || len(more) == maxRecordLines-1 {
			if nerr == nil {
				more = append(more, next)
			}
			l.push(more)
			return nil, first.n, fmt.Errorf("%w: %w", ErrQuote, errOpen)
		}
		more = append(more, next)
		text += "\n" + next.text
	}
}

// splitRecord splits one CSV record (RFC 4180; spaces around a quoted field
// tolerated). It returns errOpen when a quoted field is not closed by the
// end of s, and an error wrapping ErrQuote for a stray quote.
func splitRecord(s string) ([]string, error) {
	var fields []string
	for i := 0; ; {
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && s[j] == '"' {
			f, end, err := quoted(s, j+1)
			if err != nil {
				return nil, err
			}
			fields = append(fields, f)
			for end < len(s) && s[end] == ' ' {
				end++
			}
			if end == len(s) {
				return fields, nil
			}
			if s[end] != ',' {
				return nil, fmt.Errorf("%w: text after the closing quote of field %d", ErrQuote, len(fields))
			}
			i = end + 1
			continue
		}
		k := strings.IndexByte(s[i:], ',')
		f := s[i:]
		if k >= 0 {
			f = s[i : i+k]
		}
		if strings.IndexByte(f, '"') >= 0 {
			return nil, fmt.Errorf("%w: a quote inside unquoted field %d", ErrQuote, len(fields)+1)
		}
		fields = append(fields, f)
		if k < 0 {
			return fields, nil
		}
		i += k + 1
	}
}

// quoted reads a quoted field starting after its opening quote at i and
// returns it with the position after its closing quote.
func quoted(s string, i int) (string, int, error) {
	var b bytes.Buffer
	for {
		k := strings.IndexByte(s[i:], '"')
		if k < 0 {
			return "", 0, errOpen
		}
		b.WriteString(s[i : i+k])
		i += k + 1
		if i < len(s) && s[i] == '"' { // "" is one quote
			b.WriteByte('"')
			i++
			continue
		}
		return b.String(), i, nil
	}
}
