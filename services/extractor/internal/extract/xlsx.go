package extract

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/xuri/excelize/v2"
)

// xlsxUnzipLimit bounds the uncompressed size of a workbook (a zip bomb
// fails instead of filling the disk): 4 GiB.
const xlsxUnzipLimit = 4 << 30

// xlsxInMemory is the largest worksheet or shared-strings part excelize
// keeps in memory; larger ones are unzipped to the spool directory and
// read from there: 4 MiB.
const xlsxInMemory = 4 << 20

// xlsxText writes every sheet: its name on a line, then a line per row
// with the cells' formatted values separated by blanks. Rows come from
// excelize's streaming row iterator.
func xlsxText(ctx context.Context, path string, _ int64, out *textBuf) error {
	f, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxInMemory, TmpDir: filepath.Dir(path),
	})
	if err != nil {
		return fmt.Errorf("xlsx: %w", xlsxError(path, err))
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		if err := sheetText(ctx, f, sheet, out); err != nil {
			return err
		}
	}
	return nil
}

func xlsxError(path string, err error) error {
	if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword) || isOLE(path) {
		return fmt.Errorf("encrypted or legacy Excel file: %w", err)
	}
	return err
}

func sheetText(ctx context.Context, f *excelize.File, sheet string, out *textBuf) error {
	if err := line(out, sheet); err != nil {
		return err
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		cells, err := rows.Columns()
		if err != nil {
			return fmt.Errorf("xlsx: sheet %q: %w", sheet, err)
		}
		for _, c := range cells {
			if err := writeCell(out, c); err != nil {
				return err
			}
		}
		if err := out.Newline(); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", sheet, err)
	}
	return nil
}
