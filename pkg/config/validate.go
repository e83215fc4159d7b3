package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FieldError is one invalid key. Validate returns them joined
// (errors.Join); find one with errors.As.
type FieldError struct {
	// Key is the YAML path, e.g. "nats.replicas".
	Key string
	// Msg says what is wrong, e.g. "7 is not in 1..5".
	Msg string
}

// Error names the key and what is wrong with it.
func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// Validate checks every key and returns all problems at once, each a
// *FieldError naming the key and the bad value (never a secret's value),
// e.g. `auth.mode: "foo" is not one of api_token, oauth2`.
func (c Config) Validate() error {
	v := &validator{}
	c.validateSite(v)
	c.Auth.validate(v)
	c.Spaces.validate(v)
	if c.UsersCSVMaxBadRows < 0 {
		v.add("users_csv_max_bad_rows", "%d is negative; 0 means the default %d", c.UsersCSVMaxBadRows, DefaultUsersCSVMaxBadRows)
	}
	if c.Content.Attachments.MaxSize < 0 {
		v.add("content.attachments.max_size", "%d is negative", c.Content.Attachments.MaxSize)
	}
	c.Rules.validate(v)
	c.Content.Attachments.Extract.validate(v)
	c.NATS.validate(v)
	c.validateSinks(v)
	c.Crawl.validate(v)
	c.Crawl.validateRate(v)
	c.Crawl.validateFetcher(v)
	c.Log.validate(v)
	c.Metrics.validate(v)
	c.Audit.validate(v)
	return errors.Join(v.errs...)
}

type validator struct{ errs []error }

func (v *validator) add(key, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) required(key, value, when string) {
	if strings.TrimSpace(value) == "" {
		v.add(key, "required%s", when)
	}
}

func (v *validator) oneOf(key, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		v.add(key, "%q is not one of %s", value, strings.Join(allowed, ", "))
	}
}

// httpURL checks that s is an absolute http or https URL without
// credentials.
func (v *validator) httpURL(key, s string) (*url.URL, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.add(key, "%q is not an http(s) URL", redactURL(s))
		return nil, false
	case u.User != nil:
		v.add(key, "%q must not contain credentials", redactURL(s))
		return nil, false
	}
	return u, true
}

// redactURL hides the password of a URL (and the whole text when it does
// not parse but looks like it holds credentials).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if strings.Contains(s, "@") {
			return Redacted
		}
		return s
	}
	return u.Redacted()
}

func (c Config) validateSite(v *validator) {
	if strings.TrimSpace(c.Site) == "" {
		v.add("site", "required, e.g. https://acme.atlassian.net")
		return
	}
	u, ok := v.httpURL("site", c.Site)
	switch {
	case !ok:
	case u.RawQuery != "" || u.Fragment != "":
		v.add("site", "%q must not have a query or fragment", c.Site)
	case strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/wiki"):
		v.add("site", "%q ends in /wiki; give the site root, e.g. %s://%s", c.Site, u.Scheme, u.Host)
	}
}

func (a Auth) validate(v *validator) {
	switch a.Mode {
	case AuthAPIToken:
		when := " when auth.mode is api_token"
		v.required("auth.email", a.Email, when)
		if a.Email != "" && !strings.Contains(a.Email, "@") {
			v.add("auth.email", "%q is not an email address", a.Email)
		}
		v.required("auth.api_token", a.APIToken.Reveal(), when)
	case AuthOAuth2:
		when := " when auth.mode is oauth2"
		v.required("auth.oauth2.client_id", a.OAuth2.ClientID, when)
		v.required("auth.oauth2.client_secret", a.OAuth2.ClientSecret.Reveal(), when)
		v.required("auth.oauth2.refresh_token", a.OAuth2.RefreshToken.Reveal(), when)
		for _, u := range []struct{ key, val string }{
			{"auth.oauth2.auth_url", a.OAuth2.AuthURL},
			{"auth.oauth2.token_url", a.OAuth2.TokenURL},
			{"auth.oauth2.api_url", a.OAuth2.APIURL},
		} {
			if u.val == "" {
				v.add(u.key, "required%s", when)
			} else {
				v.httpURL(u.key, u.val)
			}
		}
	default:
		v.oneOf("auth.mode", a.Mode, AuthAPIToken, AuthOAuth2)
	}
}

func (s Spaces) validate(v *validator) {
	for _, l := range []struct {
		key  string
		keys []string
	}{{"spaces.include", s.Include}, {"spaces.exclude", s.Exclude}} {
		for _, k := range l.keys {
			if strings.TrimSpace(k) == "" || strings.ContainsAny(k, " \t\n,") {
				v.add(l.key, "%q is not a space key", k)
			}
		}
	}
}

func (n NATS) validate(v *validator) {
	n.validateMemoryLimit(v)
	if strings.TrimSpace(n.URL) == "" {
		v.required("nats.data_dir", n.DataDir, " when nats.url is empty (the embedded server)")
	} else {
		for _, s := range strings.Split(n.URL, ",") {
			s = strings.TrimSpace(s)
			scheme, _, hasScheme := strings.Cut(s, "://")
			switch {
			case s == "":
				v.add("nats.url", "%q has an empty server URL", redactURL(n.URL))
			case hasScheme && !slices.Contains([]string{"nats", "tls", "ws", "wss"}, strings.ToLower(scheme)):
				v.add("nats.url", "%q: scheme %q is not one of nats, tls, ws, wss", redactURL(s), scheme)
			}
		}
	}
	if n.Listen != "" {
		if _, port, err := net.SplitHostPort(n.Listen); err != nil {
			v.add("nats.listen", "%q is not host:port", n.Listen)
		} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			v.add("nats.listen", "port %q of %q is not 0..65535", port, n.Listen)
		}
	}
	if n.Replicas < 1 || n.Replicas > 5 {
		v.add("nats.replicas", "%d is not in 1..5", n.Replicas)
	}
	if n.AckWait.Std() < time.Second || n.AckWait.Std() > time.Hour {
		v.add("nats.ack_wait", "%s is not in 1s..1h", n.AckWait.Std())
	}
	if n.Password.IsSet() && n.User == "" {
		v.add("nats.user", "required when nats.password is set")
	}
	if n.User != "" && !n.Password.IsSet() {
		v.add("nats.password", "required when nats.user is set")
	}
	methods := 0
	for _, set := range []bool{n.User != "", n.Token.IsSet(), n.NKeyFile != "", n.CredsFile != ""} {
		if set {
			methods++
		}
	}
	if methods > 1 {
		v.add("nats", "set only one of user/password, token, nkey_file, creds_file")
	}
	if (n.TLS.Cert == "") != (n.TLS.Key == "") {
		v.add("nats.tls", "set both cert and key, or neither")
	}
}

func (s Sink) validate(v *validator, at string) {
	s.validateType(v, at)
	if s.Type == SinkFiles {
		v.required(at+".dir", s.Dir, " when "+at+".type is files")
	}
	if math.IsNaN(s.MaxDeleteShare) || s.MaxDeleteShare < 0 || s.MaxDeleteShare > 1 {
		v.add(at+".max_delete_share", "%v is not in 0..1", s.MaxDeleteShare)
	}
	v.mode(at+".file_mode", s.FileMode, 0o600, "read and write")
	v.mode(at+".dir_mode", s.DirMode, 0o700, "read, write and search")
}

// mode checks that m is a permission mode with at least the owner bits
// need, which the sink needs to write and read again what it wrote.
func (v *validator) mode(key string, m, need Mode, what string) {
	switch {
	case m > 0o777:
		v.add(key, "%s is not a permission mode (0000 to 0777)", m)
	case m&need != need:
		v.add(key, "%s does not give the owner %s (%s)", m, what, need)
	}
}

func (c Crawl) validate(v *validator) {
	for _, d := range []struct {
		key string
		val Duration
	}{
		{"crawl.incremental_every", c.IncrementalEvery},
		{"crawl.full_every", c.FullEvery},
		{"crawl.permissions_every", c.PermissionsEvery},
	} {
		if d.val <= 0 {
			v.add(d.key, "%s is not positive", d.val)
		}
	}
	if c.Concurrency < 1 || c.Concurrency > 256 {
		v.add("crawl.concurrency", "%d is not in 1..256", c.Concurrency)
	}
}

func (l Log) validate(v *validator) {
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, strings.ToLower(l.Level)) {
		v.add("log.level", "%q is not one of debug, info, warn, error", l.Level)
	}
	v.oneOf("log.format", l.Format, LogAuto, LogText, LogJSON)
}
