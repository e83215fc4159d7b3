// Package extract turns the bytes of an attachment into plain text: plain
// text, Markdown, CSV, JSON, XML and HTML are read as streams; DOCX, PPTX
// and XLSX (zip archives) and PDF, which need random access, are spooled
// to a temporary file first; anything else goes to an Apache Tika server
// when one is configured, and is "unsupported" otherwise.
//
// Bad input never panics out of Extract and never returns an error: a
// corrupt, encrypted or too slow file gives empty text and the status
// "failed: <reason>". Memory is bounded by Limits.MaxText plus what one
// parser holds; no format is read whole into memory by this package
// (excelize keeps an XLSX's small parts in memory, the worksheets and the
// shared strings above 4 MiB go to temporary files).
package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/conflux-dev/conflux/proto"
)

// Limits bound one extraction.
type Limits struct {
	// MaxText is the most text kept, in bytes of UTF-8; the rest is cut
	// and the status is "truncated". Default 1 MiB.
	MaxText int
	// Timeout is the time limit per file. Default 30s.
	Timeout time.Duration
	// TempDir is where spooled files go (a directory of their own is made
	// inside it and removed after each file). Default os.TempDir().
	TempDir string
	// TikaURL is an Apache Tika server for the formats not read here;
	// empty means off.
	TikaURL string
	// HTTP is the client of Tika calls. Default a client without its own
	// timeout (each call is bounded by Timeout).
	HTTP *http.Client
}

func (l Limits) withDefaults() Limits {
	if l.MaxText <= 0 {
		l.MaxText = 1 << 20
	}
	if l.Timeout <= 0 {
		l.Timeout = 30 * time.Second
	}
	if l.HTTP == nil {
		l.HTTP = &http.Client{}
	}
	return l
}

// Result is the text of one file and how it was found.
type Result struct {
	// Text is the plain text, valid UTF-8, at most Limits.MaxText bytes.
	Text string
	// Status is proto.ExtractionOK, proto.ExtractionTruncated,
	// proto.ExtractionUnsupported or "failed: <reason>".
	Status string
	// Format is the reader used ("pdf", "csv" …; "" when unsupported).
	Format string
	// SourceErr is set when reading the input itself failed (not the
	// parsing): the caller may retry with a fresh reader.
	SourceErr error
}

// File is the input of Extract.
type File struct {
	// Name is the file name (its extension picks the reader first).
	Name string
	// MediaType is the declared media type (used when the name says
	// nothing).
	MediaType string
	// Size is the length of Body in bytes.
	Size int64
	// Body is read once, from the start; Extract does not close it.
	Body io.Reader
}

// Extractor extracts text within its limits. It is safe for concurrent
// use.
type Extractor struct{ lim Limits }

// New returns an Extractor with limits l (zero fields take defaults).
func New(l Limits) *Extractor { return &Extractor{lim: l.withDefaults()} }

// errTimeLimit reports a file not done within Limits.Timeout.
var errTimeLimit = errors.New("time limit")

// Extract reads the text of f.
func (e *Extractor) Extract(ctx context.Context, f File) Result {
	format := detect(f.Name, f.MediaType)
	if format == nil && e.lim.TikaURL != "" {
		format = tikaFormat(e.lim)
	}
	if format == nil {
		return Result{Status: proto.ExtractionUnsupported}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, e.lim.Timeout, errTimeLimit)
	defer cancel()
	src := &sourceReader{ctx: ctx, r: f.Body}
	out := newTextBuf(ctx, e.lim.MaxText)
	err := run(ctx, format, e.lim, f, src, out)
	return e.result(ctx, format.name, src, out, err)
}

// run calls the format's reader, spooling the input first when the reader
// needs random access, and turns a panic of a parser into an error.
func run(ctx context.Context, fm *format, lim Limits, f File, src io.Reader, out *textBuf) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s parser panicked: %v", fm.name, p)
		}
	}()
	if fm.stream != nil {
		return fm.stream(ctx, src, out)
	}
	if fm.tika != nil {
		return fm.tika(ctx, f, src, out)
	}
	return spooled(lim.TempDir, src, func(path string, size int64) error {
		return detached(ctx, fm.name, out, func(own *textBuf) error { return fm.file(ctx, path, size, own) })
	})
}

// detached runs a parser that reads a spooled file in a goroutine of its
// own, with its own text buffer, and stops waiting for it when ctx ends:
// some libraries (excelize) can spin on a crafted file without reading
// anything through a context-aware reader. The abandoned parser finishes
// on its own (its spool directory is gone, its output unused).
func detached(ctx context.Context, name string, out *textBuf, parse func(own *textBuf) error) error {
	own := newTextBuf(ctx, out.max)
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("%s parser panicked: %v", name, p)
			}
		}()
		done <- parse(own)
	}()
	select {
	case err := <-done:
		out.adopt(own)
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (e *Extractor) result(ctx context.Context, name string, src *sourceReader, out *textBuf, err error) Result {
	res := Result{Format: name}
	switch {
	case errors.Is(err, errFull) || err == nil && out.truncated:
		res.Text, res.Status = out.String(), proto.ExtractionTruncated
	case err == nil:
		res.Text, res.Status = out.String(), proto.ExtractionOK
	case errors.Is(err, errUnsupported):
		res.Status = proto.ExtractionUnsupported
	case src.err != nil && !errors.Is(src.err, context.DeadlineExceeded) && !errors.Is(src.err, context.Canceled):
		res.SourceErr = src.err
		res.Status = failed(fmt.Errorf("read input: %w", src.err))
	case context.Cause(ctx) == errTimeLimit:
		res.Status = failed(fmt.Errorf("time limit %s exceeded", e.lim.Timeout))
	default:
		res.Status = failed(err)
	}
	return res
}

// failed renders a failure status, "failed: <reason>", on one line of at
// most 300 bytes.
func failed(err error) string {
	reason := oneLine(err.Error(), 300)
	return proto.ExtractionFailed + ": " + reason
}

// errUnsupported is returned by a reader (Tika) that does not know the
// format.
var errUnsupported = errors.New("unsupported format")

// sourceReader reads the input, stopping when ctx ends, and remembers the
// input's own error.
type sourceReader struct {
	ctx context.Context
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// Tika reports whether a Tika server reads the formats not read here.
func (e *Extractor) Tika() bool { return e.lim.TikaURL != "" }
