//go:build unix

package filesink

import (
	"io/fs"
	"syscall"
)

// unlinked reports whether a directory held open was removed: it has no
// link left.
func unlinked(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink == 0
}
