package tokens

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Reply is the broker's answer to a get or an invalidate request. It never
// carries a refresh token.
type Reply struct {
	// Authorization is the full header value, "Bearer …" or "Basic …".
	Authorization string `json:"authorization"`
	// BaseURL is the site URL (API-token mode) or the gateway URL
	// api_url + "/ex/confluence/" + cloudId (OAuth 2.0 mode).
	BaseURL string `json:"base_url"`
	// ExpiresAt is when the access token expires; zero for an API token.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// InvalidateRequest reports that Confluence rejected a credential. It names
// the credential by Fingerprint(authorization), never by its value.
type InvalidateRequest struct {
	Fingerprint string `json:"fingerprint"`
}

// ErrorReply is the body of an error answer.
type ErrorReply struct {
	// Error is CodeReauthorization or CodeUnavailable's name.
	Error string `json:"error"`
	// Message explains it for a person.
	Message string `json:"message"`
	// Command is what to run to authorize again (reauthorization only).
	Command string `json:"command,omitempty"`
}

// Service error codes (Nats-Service-Error-Code) and their ErrorReply.Error.
const (
	// CodeReauthorization: the refresh token was refused (invalid_grant);
	// a person must run oauth2-tokenfetcher and update conflux.yaml.
	CodeReauthorization = "403"
	// CodeUnavailable: no credential yet (first refresh pending, token
	// endpoint unreachable); retry later.
	CodeUnavailable = "503"
	// CodeBadRequest: the request could not be read.
	CodeBadRequest = "400"

	ErrorReauthorization = "reauthorization_needed"
	ErrorUnavailable     = "unavailable"
	ErrorBadRequest      = "bad_request"
)

// Fingerprint identifies a secret without revealing it: the hex SHA-256 of
// s. Log at most its first 4 characters (see Short).
func Fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Short is the loggable form of a secret: the first 4 hex characters of
// its SHA-256, or "" for "".
func Short(secret string) string {
	if secret == "" {
		return ""
	}
	return Fingerprint(secret)[:4]
}
