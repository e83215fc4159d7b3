package searchsink

import (
	"context"
	"fmt"
	"os"
)

// Conn is how to reach a cluster: sink.urls, the credentials (sink.username
// and sink.password, or sink.api_key for Elasticsearch) and the CA of its
// certificates (sink.ca, a PEM file; empty: the system's roots).
type Conn struct {
	URLs     []string
	Username string
	Password string
	APIKey   string
	CAFile   string
}

// CACert reads the CA file, if any.
func (c Conn) CACert() ([]byte, error) {
	if c.CAFile == "" {
		return nil, nil
	}
	data, err := os.ReadFile(c.CAFile)
	if err != nil {
		return nil, fmt.Errorf("read sink.ca: %w", err)
	}
	return data, nil
}

// Start builds the sink on a client and sets its indexes up.
func Start(ctx context.Context, c Client, opt Options) (*Sink, error) {
	s, err := New(c, opt)
	if err != nil {
		return nil, err
	}
	if err := s.Setup(ctx); err != nil {
		return nil, err
	}
	return s, nil
}
