package confluence

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
)

// redacted replaces every secret in logs, errors and fmt output.
const redacted = "[redacted]"

// Credential is what one request needs to reach Confluence: the value of the
// Authorization header and the base URL that API paths (/wiki/...) are
// appended to.
//
// Credential never prints its Authorization value: String, GoString and
// LogValue redact it, so a Credential may be logged or formatted safely.
type Credential struct {
	// Authorization is the full header value, "Basic …" or "Bearer …".
	// Never logged.
	Authorization string
	// BaseURL is the site URL (https://acme.atlassian.net) or the gateway
	// URL (https://api.atlassian.com/ex/confluence/<cloudId>), without the
	// /wiki suffix. A trailing slash is ignored.
	BaseURL string
}

// Bearer reports whether the credential is an OAuth bearer token. Only
// bearer credentials are refreshed on the 403/404 that the gateway answers
// for an expired token.
func (c Credential) Bearer() bool {
	scheme, _, _ := strings.Cut(c.Authorization, " ")
	return strings.EqualFold(scheme, "bearer")
}

// String returns the base URL and a redacted Authorization.
func (c Credential) String() string {
	return "confluence.Credential{BaseURL: " + c.BaseURL + ", Authorization: " + redacted + "}"
}

// GoString is String, so that %#v does not print the secret either.
func (c Credential) GoString() string { return c.String() }

// LogValue implements slog.LogValuer with the Authorization redacted.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("authorization", redacted),
	)
}

// base returns BaseURL without a trailing slash.
func (c Credential) base() string { return strings.TrimRight(c.BaseURL, "/") }

// Credentials supplies the credential for each request. Implementations
// must be safe for concurrent use.
//
// Credential is called before every attempt and should be cheap (cache the
// token). Invalidate is called when Confluence rejected c (401, or for a
// bearer token the 403/404 the gateway gives for an expired one); the next
// Credential call should then return a fresh credential. If it returns the
// same Authorization again, the client does not retry.
type Credentials interface {
	Credential(ctx context.Context) (Credential, error)
	Invalidate(ctx context.Context, c Credential) error
}

// BasicAuth returns static credentials for a classic API token: the header
// "Basic base64(email:token)" and BaseURL siteURL (for example
// https://acme.atlassian.net, or a scoped token's gateway URL). Invalidate
// does nothing: a rejected API token stays rejected.
func BasicAuth(siteURL, email, token string) Credentials {
	raw := email + ":" + token
	return StaticCredentials(Credential{
		Authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte(raw)),
		BaseURL:       siteURL,
	})
}

// BearerToken returns static credentials for an OAuth access token sent to
// baseURL (usually a gateway URL, see GatewayURL). It cannot be refreshed;
// the token broker's credentials (pkg/tokens) can.
func BearerToken(baseURL, accessToken string) Credentials {
	return StaticCredentials(Credential{Authorization: "Bearer " + accessToken, BaseURL: baseURL})
}

// StaticCredentials returns credentials that always answer c and ignore
// Invalidate.
func StaticCredentials(c Credential) Credentials { return static{c} }

type static struct{ c Credential }

func (s static) Credential(context.Context) (Credential, error) { return s.c, nil }
func (s static) Invalidate(context.Context, Credential) error   { return nil }

// String keeps the secret out of fmt output.
func (s static) String() string { return s.c.String() }

// GoString keeps the secret out of %#v.
func (s static) GoString() string { return s.c.String() }

// LogValue keeps the secret out of logs.
func (s static) LogValue() slog.Value { return s.c.LogValue() }

// GatewayURL returns the base URL of a site reached through the Atlassian
// API gateway: apiURL + "/ex/confluence/" + cloudID. apiURL is
// https://api.atlassian.com in production (config auth.oauth2.api_url).
func GatewayURL(apiURL, cloudID string) string {
	return strings.TrimRight(apiURL, "/") + "/ex/confluence/" + cloudID
}
