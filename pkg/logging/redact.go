package logging

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"strings"
)

// Redacted replaces the value of a secret-looking attribute.
const Redacted = "[redacted]"

// secretWords are the parts of a key that mark it as a secret.
var secretWords = []string{"token", "secret", "password", "passwd", "authorization", "api_key", "apikey", "credential", "cookie"}

// redact is the ReplaceAttr of every handler. It redacts string and
// any-valued attributes whose key (case-insensitive) contains one of
// secretWords, except keys ending in "_url" ("token_url" names an
// endpoint, not a secret); numbers, booleans, durations and times are
// never secrets and are kept, so "tokens_refreshed=3" stays readable. It
// also redacts any string that is an Authorization value (isAuthValue).
func redact(_ []string, a slog.Attr) slog.Attr {
	kind := a.Value.Kind()
	if kind != slog.KindString && kind != slog.KindAny {
		return a
	}
	if secretKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	if kind == slog.KindString && isAuthValue(a.Value.String()) {
		return slog.String(a.Key, Redacted)
	}
	return a
}

func secretKey(key string) bool {
	k := strings.ToLower(key)
	if strings.HasSuffix(k, "_url") {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// isAuthValue reports whether s looks like an Authorization header value:
// "Bearer " and a token of 16 or more characters without spaces, or
// "Basic " and base64 of "user:password". Prose such as "basic auth
// enabled" is not matched.
func isAuthValue(s string) bool {
	s = strings.TrimSpace(s)
	scheme, cred, ok := strings.Cut(s, " ")
	if !ok || strings.ContainsAny(cred, " \t") {
		return false
	}
	switch strings.ToLower(scheme) {
	case "bearer":
		return len(cred) >= 16
	case "basic":
		b, err := base64.StdEncoding.DecodeString(cred)
		return err == nil && bytes.IndexByte(b, ':') > 0
	}
	return false
}
