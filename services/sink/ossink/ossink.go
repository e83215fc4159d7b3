// Package ossink is the OpenSearch sink: package searchsink's bulk
// writer, templates and identities index, spoken through OpenSearch's own
// Go client (opensearch-go v4).
package ossink

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/conflux-dev/conflux/services/sink/searchsink"
)

// Open connects to the OpenSearch cluster at conn.URLs, creates or updates
// the index templates and indexes, and returns the sink.
func Open(ctx context.Context, conn searchsink.Conn, opt searchsink.Options) (*searchsink.Sink, error) {
	if conn.APIKey != "" {
		return nil, fmt.Errorf("opensearch sink: sink.api_key is for elasticsearch; use sink.username and sink.password")
	}
	ca, err := conn.CACert()
	if err != nil {
		return nil, fmt.Errorf("opensearch sink: %w", err)
	}
	c, err := opensearch.NewClient(opensearch.Config{
		Addresses: conn.URLs, Username: conn.Username, Password: conn.Password, CACert: ca, MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("opensearch sink: %w", err)
	}
	opt.Product = "opensearch"
	return searchsink.Start(ctx, client{c}, opt)
}

// client adapts the OpenSearch client to searchsink.Client.
type client struct{ c *opensearch.Client }

func (c client) do(ctx context.Context, method string, req opensearch.Request) (searchsink.Reply, error) {
	resp, err := opensearch.Do[struct{}](ctx, c.c, method, req, nil)
	if resp == nil {
		return searchsink.Reply{}, err
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(resp.Body)
	if err == nil {
		err = rerr
	}
	if err != nil && resp.StatusCode == 0 {
		return searchsink.Reply{}, err
	}
	return searchsink.Reply{Status: resp.StatusCode, Body: data}, nil
}

func (c client) Bulk(ctx context.Context, index string, body []byte, refresh bool) (searchsink.Reply, error) {
	req := opensearchapi.BulkReq{Index: index, Body: bytes.NewReader(body)}
	if refresh {
		req.Params.Refresh = "wait_for"
	}
	return c.do(ctx, http.MethodPost, req)
}

func (c client) PutIndexTemplate(ctx context.Context, name string, body []byte) (searchsink.Reply, error) {
	return c.do(ctx, http.MethodPut, opensearchapi.IndexTemplateCreateReq{IndexTemplate: name, Body: bytes.NewReader(body)})
}

func (c client) CreateIndex(ctx context.Context, index string) (searchsink.Reply, error) {
	return c.do(ctx, http.MethodPut, opensearchapi.IndicesCreateReq{Index: index})
}

func (c client) Get(ctx context.Context, index, id string) (searchsink.Reply, error) {
	return c.do(ctx, http.MethodGet, opensearchapi.DocumentGetReq{Index: index, DocumentID: id})
}

func (c client) Search(ctx context.Context, index string, body []byte) (searchsink.Reply, error) {
	return c.do(ctx, http.MethodPost, opensearchapi.SearchReq{Indices: []string{index}, Body: bytes.NewReader(body)})
}
