package extract

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// spooled copies r into a file of a temporary directory of its own (in
// dir, or the system's), calls read with the file's path and size, and
// removes the directory, whatever read did. The input is copied in 128
// KiB steps, never held in memory.
func spooled(dir string, r io.Reader, read func(path string, size int64) error) error {
	tmp, err := os.MkdirTemp(dir, "conflux-extract-*")
	if err != nil {
		return fmt.Errorf("make spool directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "input")
	size, err := copyToFile(path, r)
	if err != nil {
		return err
	}
	return read(path, size)
}

func copyToFile(path string, r io.Reader) (int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("spool input: %w", err)
	}
	n, err := io.CopyBuffer(f, r, make([]byte, 128<<10))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("spool input: %w", err)
	}
	return n, nil
}
