//go:build !unix

package filesink

import "io/fs"

// unlinked cannot tell here; an open directory cannot be removed on
// Windows anyway.
func unlinked(fs.FileInfo) bool { return false }
