package tokenbroker

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
)

// resource is one entry of accessible-resources.
type resource struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// errSiteNotGranted: the grant does not reach the configured site.
var errSiteNotGranted = errors.New("site not in the grant")

// lookup finds the cloud id of the configured site with st's access token
// and persists it with the gateway URL (CAS on rev).
func (s *Service) lookup(ctx context.Context, st State, rev uint64) {
	cloudID, err := s.cloudID(ctx, st.AccessToken)
	if errors.Is(err, errSiteNotGranted) {
		s.markReauthorization(ctx, st, rev, err.Error())
		return
	}
	if err != nil {
		s.fail(ctx, err.Error())
		return
	}
	next := st
	next.CloudID = cloudID
	next.BaseURL = confluence.GatewayURL(s.apiURL(), cloudID)
	next.Holder = s.o.holder
	newRev, err := s.persist(ctx, next, rev)
	if errors.Is(err, errSuperseded) {
		_, _, _ = s.reread(ctx)
		return
	}
	if err != nil {
		s.fail(ctx, err.Error())
		return
	}
	s.apply(next, newRev)
	s.log.Info("cloud id found", "cloud_id", cloudID, "base_url", next.BaseURL)
}

func (s *Service) apiURL() string {
	return strings.TrimRight(cmp.Or(s.d.Config.Auth.OAuth2.APIURL, config.DefaultAPIURL), "/")
}

// cloudID asks accessible-resources for the entry whose url is the
// configured site (hosts compared, case-insensitive).
func (s *Service) cloudID(ctx context.Context, accessToken string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.apiURL()+"/oauth/token/accessible-resources", nil)
	if err != nil {
		return "", fmt.Errorf("accessible-resources: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := s.o.httpClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("accessible-resources: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return "", fmt.Errorf("accessible-resources: HTTP %d", resp.StatusCode)
	}
	var list []resource
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<22)).Decode(&list); err != nil {
		return "", fmt.Errorf("accessible-resources: decode: %w", err)
	}
	want := siteKey(s.d.Config.Site)
	var seen []string
	for _, r := range list {
		if siteKey(r.URL) == want && r.ID != "" {
			return r.ID, nil
		}
		seen = append(seen, r.URL)
	}
	return "", fmt.Errorf("%w: the grant reaches %v but not %s; authorize again and choose that site", errSiteNotGranted, seen, s.d.Config.Site)
}

// siteKey is the host (with port) of a site URL or host, lower case.
func siteKey(raw string) string {
	raw = strings.TrimSpace(raw)
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return strings.ToLower(u.Host)
	}
	return strings.ToLower(strings.TrimRight(raw, "/"))
}
