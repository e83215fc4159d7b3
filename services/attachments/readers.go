package attachments

import (
	"errors"
	"io"
	"time"
)

// errTooLarge stops a download whose bytes exceed max_size.
var errTooLarge = errors.New("attachment larger than max_size")

// keepAliveReader calls touch at most once every every while bytes flow,
// so that a long download keeps its message (msg.InProgress).
type keepAliveReader struct {
	r     io.Reader
	every time.Duration
	last  time.Time
	touch func()
}

func (k *keepAliveReader) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if now := time.Now(); now.Sub(k.last) >= k.every {
		k.last = now
		k.touch()
	}
	return n, err
}

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
