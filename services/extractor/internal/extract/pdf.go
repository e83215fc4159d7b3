package extract

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ledongthuc/pdf"
)

// pdfMaxDepth bounds the page tree walk (a loop in a corrupt tree).
const pdfMaxDepth = 64

// pdfText writes the text of every page, in page-tree order, a page after
// the other. The file is read at random through its cross-reference
// table; one page's content stream at a time is decoded.
func pdfText(ctx context.Context, path string, size int64, out *textBuf) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	defer f.Close()
	r, err := pdf.NewReader(&ctxReaderAt{ctx: ctx, r: f}, size)
	if err != nil {
		return fmt.Errorf("pdf: %w", pdfError(err))
	}
	return pdfPages(ctx, r.Trailer().Key("Root").Key("Pages"), 0, out)
}

func pdfError(err error) error {
	if errors.Is(err, pdf.ErrInvalidPassword) {
		return errors.New("encrypted (a password is needed)")
	}
	return err
}

// pdfPages walks the page tree directly: Reader.Page(n) walks it from the
// root for every page, which is quadratic in the number of pages.
func pdfPages(ctx context.Context, node pdf.Value, depth int, out *textBuf) error {
	if depth > pdfMaxDepth {
		return errors.New("pdf: page tree deeper than 64 levels")
	}
	kids := node.Key("Kids")
	for i := range kids.Len() {
		if err := ctx.Err(); err != nil {
			return err
		}
		kid := kids.Index(i)
		var err error
		switch kid.Key("Type").Name() {
		case "Pages":
			err = pdfPages(ctx, kid, depth+1, out)
		case "Page":
			err = pdfPage(pdf.Page{V: kid}, out)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func pdfPage(p pdf.Page, out *textBuf) error {
	text, err := p.GetPlainText(nil)
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	if err := out.Text(text); err != nil {
		return err
	}
	return out.Newline()
}
