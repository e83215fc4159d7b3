// Package essink is the Elasticsearch sink: package searchsink's bulk
// writer, templates and identities index, spoken through Elastic's own Go
// client (go-elasticsearch v8).
package essink

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/conflux-dev/conflux/services/sink/searchsink"
)

// Open connects to the Elasticsearch cluster at conn.URLs (basic auth or
// an API key), creates or updates the index templates and indexes, and
// returns the sink.
func Open(ctx context.Context, conn searchsink.Conn, opt searchsink.Options) (*searchsink.Sink, error) {
	ca, err := conn.CACert()
	if err != nil {
		return nil, fmt.Errorf("elasticsearch sink: %w", err)
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses: conn.URLs, Username: conn.Username, Password: conn.Password, APIKey: conn.APIKey,
		CACert: ca, MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch sink: %w", err)
	}
	opt.Product = "elasticsearch"
	return searchsink.Start(ctx, client{es}, opt)
}

// client adapts the Elasticsearch client to searchsink.Client.
type client struct{ es *elasticsearch.Client }

// request is what every esapi request type implements.
type request interface {
	Do(ctx context.Context, t esapi.Transport) (*esapi.Response, error)
}

func (c client) do(ctx context.Context, req request) (searchsink.Reply, error) {
	resp, err := req.Do(ctx, c.es)
	if err != nil {
		return searchsink.Reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return searchsink.Reply{}, fmt.Errorf("read answer: %w", err)
	}
	return searchsink.Reply{Status: resp.StatusCode, Body: data}, nil
}

func (c client) Bulk(ctx context.Context, index string, body []byte, refresh bool) (searchsink.Reply, error) {
	req := esapi.BulkRequest{Index: index, Body: bytes.NewReader(body)}
	if refresh {
		req.Refresh = "wait_for"
	}
	return c.do(ctx, req)
}

func (c client) PutIndexTemplate(ctx context.Context, name string, body []byte) (searchsink.Reply, error) {
	return c.do(ctx, esapi.IndicesPutIndexTemplateRequest{Name: name, Body: bytes.NewReader(body)})
}

func (c client) CreateIndex(ctx context.Context, index string) (searchsink.Reply, error) {
	return c.do(ctx, esapi.IndicesCreateRequest{Index: index})
}

func (c client) Get(ctx context.Context, index, id string) (searchsink.Reply, error) {
	return c.do(ctx, esapi.GetRequest{Index: index, DocumentID: id})
}

func (c client) Search(ctx context.Context, index string, body []byte) (searchsink.Reply, error) {
	return c.do(ctx, esapi.SearchRequest{Index: []string{index}, Body: bytes.NewReader(body)})
}
