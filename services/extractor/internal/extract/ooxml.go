package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
)

// oleMagic starts an OLE compound file: how Office stores an encrypted
// (password-protected) DOCX, PPTX or XLSX, and the legacy .doc/.ppt/.xls.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// openZip opens an Office Open XML file, telling an encrypted one from a
// corrupt one.
func openZip(path string) (*zip.ReadCloser, error) {
	zr, err := zip.OpenReader(path)
	if err == nil {
		return zr, nil
	}
	if isOLE(path) {
		return nil, errors.New("encrypted or legacy Office file (OLE compound document, not a zip archive)")
	}
	return nil, fmt.Errorf("not a valid zip archive: %w", err)
}

func isOLE(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(oleMagic))
	_, err = io.ReadFull(f, head)
	return err == nil && bytes.Equal(head, oleMagic)
}

// ooxmlTags says, for one document kind, which element holds text, which
// ends a paragraph, and which stand for a tab or a line break (local
// names; the namespaces differ between WordprocessingML and DrawingML).
type ooxmlTags struct{ text, paragraph, tab, lineBreak string }

// officeTags are the same local names in both: w:t, w:p, w:tab, w:br and
// a:t, a:p, a:tab, a:br.
var officeTags = ooxmlTags{text: "t", paragraph: "p", tab: "tab", lineBreak: "br"}

// docxText writes the body of a Word document, a line per paragraph, then
// its footnotes and endnotes.
func docxText(ctx context.Context, path string, _ int64, out *textBuf) error {
	zr, err := openZip(path)
	if err != nil {
		return fmt.Errorf("docx: %w", err)
	}
	defer zr.Close()
	main := findPart(&zr.Reader, "word/document.xml")
	if main == nil {
		return errors.New("docx: no word/document.xml in the archive")
	}
	parts := []*zip.File{main}
	for _, name := range []string{"word/footnotes.xml", "word/endnotes.xml"} {
		if f := findPart(&zr.Reader, name); f != nil {
			parts = append(parts, f)
		}
	}
	return partsText(ctx, parts, officeTags, out, "docx")
}

var slideName = regexp.MustCompile(`^ppt/slides/slide(\d+)\.xml$`)

// pptxText writes the text of every slide in slide order, a line per
// paragraph.
func pptxText(ctx context.Context, path string, _ int64, out *textBuf) error {
	zr, err := openZip(path)
	if err != nil {
		return fmt.Errorf("pptx: %w", err)
	}
	defer zr.Close()
	type slide struct {
		n int
		f *zip.File
	}
	var slides []slide
	for _, f := range zr.File {
		if m := slideName.FindStringSubmatch(f.Name); m != nil {
			n, _ := strconv.Atoi(m[1])
			slides = append(slides, slide{n, f})
		}
	}
	if len(slides) == 0 {
		return errors.New("pptx: no slides (ppt/slides/slideN.xml) in the archive")
	}
	slices.SortFunc(slides, func(a, b slide) int { return a.n - b.n })
	parts := make([]*zip.File, len(slides))
	for i, s := range slides {
		parts[i] = s.f
	}
	return partsText(ctx, parts, officeTags, out, "pptx")
}

func findPart(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func partsText(ctx context.Context, parts []*zip.File, tags ooxmlTags, out *textBuf, kind string) error {
	for _, p := range parts {
		if err := partText(ctx, p, tags, out); err != nil {
			if errors.Is(err, errFull) || ctx.Err() != nil {
				return err
			}
			return fmt.Errorf("%s: %s: %w", kind, p.Name, err)
		}
		if err := out.Newline(); err != nil {
			return err
		}
	}
	return nil
}

// partText streams one XML part of the archive through the decoder.
func partText(ctx context.Context, f *zip.File, tags ooxmlTags, out *textBuf) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := xml.NewDecoder(&ctxReader{ctx: ctx, r: rc})
	dec.CharsetReader = charsetReader
	inText := false
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ooxmlToken(tok, tags, &inText, out); err != nil {
			return err
		}
	}
}

func ooxmlToken(tok xml.Token, tags ooxmlTags, inText *bool, out *textBuf) error {
	switch t := tok.(type) {
	case xml.StartElement:
		switch t.Name.Local {
		case tags.text:
			*inText = true
		case tags.tab:
			return out.Blank()
		case tags.lineBreak:
			return out.Newline()
		}
	case xml.EndElement:
		switch t.Name.Local {
		case tags.text:
			*inText = false
		case tags.paragraph:
			return out.Newline()
		}
	case xml.CharData:
		if *inText {
			return out.Text(string(t))
		}
	}
	return nil
}

// ctxReader stops reading when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ctxReaderAt stops reading at random when ctx ends.
type ctxReaderAt struct {
	ctx context.Context
	r   io.ReaderAt
}

func (c *ctxReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.ReadAt(p, off)
}
