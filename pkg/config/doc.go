// Package config is conflux's configuration: the YAML file of the operator
// contract (DESIGN, "The operator contract"), read strictly, with
// environment variables layered on top, defaults kept in one place
// (Default) and checked by Validate with errors that name the key.
//
// # Loading order
//
// Load and Parse build a Config in this order:
//
//  1. Default().
//  2. The YAML file. Unknown keys are errors that name the file, the line
//     and the full key path ("conflux.yaml:12: unknown key auth.emial").
//     A key that is present replaces the default; an empty section
//     ("oauth2:") keeps the defaults of its keys.
//  3. ${VAR} in any value (not in keys or comments) is replaced by the
//     environment variable VAR. An unset variable is an error naming the
//     variable and the key; a variable set to "" expands to "". "$${"
//     stands for a literal "${". A "$" not followed by "{" is kept as it
//     is, so tokens containing "$" need no escaping. Expansion happens on
//     the parsed value, so an expanded value can never inject YAML.
//  4. CONFLUX_* overrides: every key can be set from the environment. The
//     variable's name is "CONFLUX_" followed by the key path in upper
//     case with every "." replaced by "_": auth.api_token is
//     CONFLUX_AUTH_API_TOKEN, nats.url is CONFLUX_NATS_URL,
//     content.attachments.max_size is CONFLUX_CONTENT_ATTACHMENTS_MAX_SIZE,
//     auth.oauth2.client_secret is CONFLUX_AUTH_OAUTH2_CLIENT_SECRET.
//     Lists take a comma-separated value (CONFLUX_SPACES_INCLUDE=ENG,OPS;
//     blanks around items are dropped). A variable that is set, even to
//     "", wins over the file; its value is taken literally (no ${VAR}
//     expansion). When a key is overridden, an unset ${VAR} in the file's
//     value for that key is not an error. EnvName gives the name for a key
//     and Keys lists every key.
//  5. Validate.
//
// Secrets (API token, client secret, refresh token, NATS password and
// token) have the type Secret, which prints as "[redacted]" through fmt,
// log/slog, encoding/json and YAML; only Reveal returns the value. No
// error of this package quotes a secret's value.
package config
