package extract

import (
	"context"
	"io"
	"mime"
	"path"
	"strings"
)

// format is one reader: stream reads the input once from the start; file
// reads a spooled copy at random; tika sends the input to Tika.
type format struct {
	name   string
	stream func(ctx context.Context, r io.Reader, out *textBuf) error
	file   func(ctx context.Context, path string, size int64, out *textBuf) error
	tika   func(ctx context.Context, f File, r io.Reader, out *textBuf) error
}

var (
	formatText     = &format{name: "text", stream: plainText}
	formatMarkdown = &format{name: "markdown", stream: plainText}
	formatCSV      = &format{name: "csv", stream: csvText}
	formatJSON     = &format{name: "json", stream: jsonText}
	formatXML      = &format{name: "xml", stream: xmlText}
	formatHTML     = &format{name: "html", stream: htmlText}
	formatDOCX     = &format{name: "docx", file: docxText}
	formatPPTX     = &format{name: "pptx", file: pptxText}
	formatXLSX     = &format{name: "xlsx", file: xlsxText}
	formatPDF      = &format{name: "pdf", file: pdfText}
)

// byExtension maps a lower-case file extension to its reader.
var byExtension = map[string]*format{
	".txt": formatText, ".text": formatText, ".log": formatText,
	".md": formatMarkdown, ".markdown": formatMarkdown,
	".csv":  formatCSV,
	".json": formatJSON,
	".xml":  formatXML,
	".html": formatHTML, ".htm": formatHTML, ".xhtml": formatHTML,
	".docx": formatDOCX,
	".pptx": formatPPTX,
	".xlsx": formatXLSX,
	".pdf":  formatPDF,
}

// byMediaType maps a media type (without parameters) to its reader.
var byMediaType = map[string]*format{
	"text/plain": formatText, "text/markdown": formatMarkdown, "text/x-markdown": formatMarkdown,
	"text/csv": formatCSV, "application/csv": formatCSV,
	"application/json": formatJSON,
	"application/xml":  formatXML, "text/xml": formatXML,
	"text/html": formatHTML, "application/xhtml+xml": formatHTML,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   formatDOCX,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": formatPPTX,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         formatXLSX,
	"application/pdf": formatPDF,
}

// detect picks the reader of a file by its name's extension, else by its
// media type (any other text/* is read as plain text); nil when neither
// is known.
func detect(name, mediaType string) *format {
	if f, ok := byExtension[strings.ToLower(path.Ext(name))]; ok {
		return f
	}
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return nil
	}
	if f, ok := byMediaType[mt]; ok {
		return f
	}
	if strings.HasPrefix(mt, "text/") {
		return formatText
	}
	return nil
}

// Supported reports whether a file of that name and media type is read
// here (Tika aside).
func Supported(name, mediaType string) bool { return detect(name, mediaType) != nil }
