package tokenbroker

import "github.com/conflux-dev/conflux/pkg/tokens"

// fingerprint identifies a secret without revealing it (full SHA-256 hex);
// it is stored, never logged.
func fingerprint(secret string) string { return tokens.Fingerprint(secret) }

// short is the only form of a secret that may be logged: 4 hex characters
// of its SHA-256.
func short(secret string) string { return tokens.Short(secret) }
