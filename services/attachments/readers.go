package attachments

import (
	"errors"
	"io"
)

// errTooLarge stops a download whose bytes exceed max_size.
var errTooLarge = errors.New("attachment larger than max_size")

// limitReader returns r, failing with errTooLarge once more than max bytes
// were read; max 0 means no limit.
func limitReader(r io.Reader, max int64) io.Reader {
	if max <= 0 {
		return r
	}
	return &capReader{r: r, left: max}
}

type capReader struct {
	r    io.Reader
	left int64 // bytes still allowed
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errTooLarge
	}
	// Read one byte past the limit to tell "exactly max" from "more".
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, errTooLarge
	}
	return n, err
}
