package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what a non-empty Secret prints as.
const Redacted = "[redacted]"

// Secret is a string that never prints: fmt (every verb, %#v included),
// log/slog, encoding/json, encoding.TextMarshaler and YAML all give
// "[redacted]". An empty Secret prints as "", so that an unset secret is
// visible as unset. Reveal returns the value to the one place that uses it.
type Secret string

// Reveal returns the secret's value. Call it only where the value is used
// (an Authorization header, a NATS option), never to log or print it.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) shown() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// String returns "[redacted]" ("" when empty).
func (s Secret) String() string { return s.shown() }

// GoString returns "[redacted]" ("" when empty) for %#v.
func (s Secret) GoString() string { return s.shown() }

// Format writes "[redacted]" ("" when empty) whatever the verb, so that
// %x, %q or %d cannot reveal the value either.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.shown()) }

// LogValue makes log/slog print "[redacted]" ("" when empty).
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown()) }

// MarshalJSON encodes "[redacted]" ("" when empty).
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.shown() + `"`), nil }

// MarshalText returns "[redacted]" ("" when empty).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.shown()), nil }

// MarshalYAML encodes "[redacted]" ("" when empty).
func (s Secret) MarshalYAML() (any, error) { return s.shown(), nil }
