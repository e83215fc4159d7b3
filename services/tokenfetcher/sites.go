package tokenfetcher

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// site is one entry of accessible-resources: a Confluence site the grant
// reaches.
type site struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// sites asks <api_url>/oauth/token/accessible-resources which sites the
// new access token reaches: the same call the token broker makes at
// start, so a wrong --api-url shows here and not later.
func (o Options) sites(ctx context.Context, accessToken string) ([]site, error) {
	u := strings.TrimRight(o.APIURL, "/") + "/oauth/token/accessible-resources"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("accessible-resources at %s: %w", o.APIURL, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("accessible-resources at %s: %w", o.APIURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, fmt.Errorf("accessible-resources at %s: HTTP %d", o.APIURL, resp.StatusCode)
	}
	var list []site
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<22)).Decode(&list); err != nil {
		return nil, fmt.Errorf("accessible-resources at %s: decode: %w", o.APIURL, err)
	}
	return list, nil
}
