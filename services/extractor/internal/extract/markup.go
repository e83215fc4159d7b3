package extract

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// xmlText writes the character data of an XML document, a line per
// element that held text; tags, attributes, comments and processing
// instructions are left out. The decoder is lenient (HTML entities,
// unclosed tags) and reads UTF-8, US-ASCII and ISO-8859-1.
func xmlText(_ context.Context, r io.Reader, out *textBuf) error {
	dec := xml.NewDecoder(r)
	dec.Strict, dec.Entity, dec.CharsetReader = false, xml.HTMLEntity, charsetReader
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			err = out.Text(string(t))
		case xml.EndElement:
			err = out.Newline()
		}
		if err != nil {
			return err
		}
	}
}

// charsetReader lets the XML decoder read the encodings that need no
// table: UTF-8 and US-ASCII as they are, ISO-8859-1 byte by byte.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1":
		return &latin1Reader{r: in}, nil
	}
	return nil, fmt.Errorf("encoding %q is not supported", label)
}

// latin1Reader decodes ISO-8859-1 into UTF-8.
type latin1Reader struct {
	r       io.Reader
	pending []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.pending) == 0 {
		buf := make([]byte, max(1, len(p)/2))
		n, err := l.r.Read(buf)
		for _, c := range buf[:n] {
			l.pending = append(l.pending, string(rune(c))...)
		}
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// htmlSkipped are the elements whose content is not text.
var htmlSkipped = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Noscript: true,
	atom.Template: true, atom.Svg: true, atom.Math: true, atom.Iframe: true, atom.Object: true}

// htmlBlocks are the elements that end a line.
var htmlBlocks = map[atom.Atom]bool{atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Tr: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Title: true,
	atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Pre: true, atom.Blockquote: true, atom.Hr: true,
	atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true, atom.Dt: true, atom.Dd: true,
	atom.Td: true, atom.Th: true, atom.Caption: true, atom.Figcaption: true}

// htmlMaxToken bounds one HTML token (a text run, a tag) in memory.
const htmlMaxToken = 4 << 20

// htmlText writes the text of an HTML document as a reader sees it:
// entities decoded, scripts and styles left out, a line per block.
func htmlText(_ context.Context, r io.Reader, out *textBuf) error {
	z := html.NewTokenizer(r)
	z.SetMaxBuf(htmlMaxToken)
	skip := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if errors.Is(z.Err(), io.EOF) {
				return nil
			}
			return fmt.Errorf("html: %w", z.Err())
		}
		if err := htmlToken(z, tt, &skip, out); err != nil {
			return err
		}
	}
}

func htmlToken(z *html.Tokenizer, tt html.TokenType, skip *int, out *textBuf) error {
	switch tt {
	case html.TextToken:
		if *skip == 0 {
			return out.Text(string(z.Text()))
		}
	case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
		name, _ := z.TagName()
		a := atom.Lookup(name)
		if htmlSkipped[a] && tt != html.SelfClosingTagToken {
			if tt == html.StartTagToken {
				*skip++
			} else if *skip > 0 {
				*skip--
			}
		}
		if htmlBlocks[a] && *skip == 0 {
			return out.Newline()
		}
	}
	return nil
}
