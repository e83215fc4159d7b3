package filesink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

// tmpPrefix starts the name of every temporary file. SafeName never
// returns a name starting with a dot, so a temporary file cannot collide
// with a real one.
const tmpPrefix = ".tmp-"

// staleTmpAge is how old a temporary file must be before Open removes it
// as the leftover of a crash (another replica may be writing a young one).
const staleTmpAge = time.Hour

// writeAtomic writes name (a slash-separated path under the root) through
// a temporary file in the same directory: write, fsync, close, rename,
// fsync the directory. Readers see the old file or the new one, never a
// part. It returns the number of bytes fill wrote.
func (s *Sink) writeAtomic(name string, fill func(w io.Writer) error) (int64, error) {
	dir := path.Dir(name)
	tmp, f, err := s.createTemp(s.root, dir, dir)
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: f}
	err = fill(cw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.root.Rename(tmp, name)
	}
	if err != nil {
		_ = s.root.Remove(tmp)
		return 0, fmt.Errorf("write %s: %w", name, err)
	}
	if err := syncDir(s.root, dir); err != nil {
		return 0, fmt.Errorf("write %s: %w", name, err)
	}
	return cw.n, nil
}

// createTemp creates a new, empty temporary file in dir under r with the
// sink's file mode, applied exactly whatever the umask, before anything
// is written to it. It returns the file's path under r; errors name the
// folder as label (its path under the sink directory).
func (s *Sink) createTemp(r *os.Root, dir, label string) (string, *os.File, error) {
	for range 8 {
		var rnd [8]byte
		_, _ = rand.Read(rnd[:])
		tmp := path.Join(dir, tmpPrefix+hex.EncodeToString(rnd[:]))
		f, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, s.fileMode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err == nil {
			err = f.Chmod(s.fileMode)
			if err != nil {
				_ = f.Close()
				_ = r.Remove(tmp)
			}
		}
		if err != nil {
			return "", nil, fmt.Errorf("create temporary file in %s: %w", label, err)
		}
		return tmp, f, nil
	}
	return "", nil, fmt.Errorf("create temporary file in %s: too many collisions", label)
}

// syncDir makes a rename or removal in dir under r durable.
func syncDir(r *os.Root, dir string) error {
	d, err := r.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// syncDocuments makes the renames and removals in the documents folder
// durable. The sink holds that folder open, so it also checks that the
// folder is still linked into the sink directory: a document written into
// a folder removed meanwhile would be acknowledged and lost.
func (s *Sink) syncDocuments() error {
	if err := syncDir(s.docs, "."); err != nil {
		return fmt.Errorf("%s: %w", DocumentsDir, err)
	}
	fi, err := s.docs.Stat(".")
	if err != nil {
		return fmt.Errorf("stat directory %s: %w", DocumentsDir, err)
	}
	if unlinked(fi) {
		return fmt.Errorf("directory %s was removed from %s while the sink was open", DocumentsDir, s.dir)
	}
	return nil
}

// removeStaleTemps removes temporary files older than staleTmpAge that a
// crash left behind, at most two levels under the root's folders.
func (s *Sink) removeStaleTemps(now time.Time) {
	_ = fs.WalkDir(s.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && strings.Count(p, "/") > 2 {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tmpPrefix) {
			return nil
		}
		if info, err := d.Info(); err == nil && now.Sub(info.ModTime()) > staleTmpAge {
			_ = s.root.Remove(p)
		}
		return nil
	})
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ctxReader stops a copy when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
