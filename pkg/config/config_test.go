package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// envOf returns a lookup function over a fixed map.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// minimal is the smallest valid file.
const minimal = `site: https://acme.atlassian.net
auth:
  email: crawler@acme.com
  api_token: tok
`

func TestParseMinimalGetsDefaults(t *testing.T) {
	c, err := Parse([]byte(minimal), "conflux.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Site = "https://acme.atlassian.net"
	want.Auth.Email = "crawler@acme.com"
	want.Auth.APIToken = "tok"
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
	d := Default()
	if d.Content.Attachments.MaxSize != 100_000_000 || d.NATS.DataDir != "./data" || d.NATS.Replicas != 1 ||
		d.Sink.Type != "files" || d.Sink.Dir != "./out" || d.Sink.MaxDeleteShare != 0.5 ||
		d.Crawl.IncrementalEvery.Std() != 15*time.Minute || d.Crawl.FullEvery.Std() != 24*time.Hour ||
		d.Crawl.PermissionsEvery.Std() != time.Hour || d.Crawl.Concurrency != 4 ||
		d.Auth.OAuth2.AuthURL != "https://auth.atlassian.com/authorize" ||
		d.Auth.OAuth2.TokenURL != "https://auth.atlassian.com/oauth/token" ||
		d.Auth.OAuth2.APIURL != "https://api.atlassian.com" || d.Log.Format != "auto" || d.Log.Level != "info" ||
		d.UsersCSVMaxBadRows != 100 || d.Sink.FileMode != 0o600 || d.Sink.DirMode != 0o700 {
		t.Fatalf("defaults drifted: %+v", d)
	}
}

func TestExampleParses(t *testing.T) {
	c, err := Parse([]byte(Example), "example.yaml", envOf(map[string]string{
		"CONFLUX_API_TOKEN": "api-tok", "CONFLUX_CLIENT_SECRET": "client-sec",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth.APIToken.Reveal() != "api-tok" || c.Auth.OAuth2.ClientSecret.Reveal() != "client-sec" {
		t.Fatalf("secrets not expanded: %q %q", c.Auth.APIToken.Reveal(), c.Auth.OAuth2.ClientSecret.Reveal())
	}
	if c.SiteHost() != "acme.atlassian.net" || c.UsersCSV != "./export-users.csv" || c.Content.Attachments.MaxSize != 100*MB {
		t.Fatalf("unexpected: %+v", c)
	}
	// Every key of the Config is documented in the example.
	for _, k := range Keys() {
		leaf := k[strings.LastIndexByte(k, '.')+1:]
		if !strings.Contains(Example, leaf+":") {
			t.Errorf("Example does not show key %s", k)
		}
	}
	// Without the variables it fails naming the first one.
	_, err = Parse([]byte(Example), "example.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), "example.yaml:5: auth.api_token: environment variable CONFLUX_API_TOKEN is not set") {
		t.Fatalf("err = %v", err)
	}
}

func TestFileErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // each must appear in the error
	}{
		{"unknown nested key", minimal + "  emial: x@y.z\n",
			[]string{"conflux.yaml:5: unknown key auth.emial (did you mean auth.email?)"}},
		{"unknown top-level key", "sitee: x\n" + minimal,
			[]string{"conflux.yaml:1: unknown key sitee (did you mean site?)"}},
		{"unknown deep key", minimal + "nats:\n  tls:\n    cafile: x\n",
			[]string{"conflux.yaml:7: unknown key nats.tls.cafile"}},
		{"every unknown key reported", minimal + "foo: 1\nbar: 2\n",
			[]string{"conflux.yaml:5: unknown key foo", "conflux.yaml:6: unknown key bar"}},
		{"duplicate key", minimal + "site: https://other.atlassian.net\n",
			[]string{"conflux.yaml:5: key site appears twice"}},
		{"section is not a mapping", minimal + "nats: nats://x\n",
			[]string{"conflux.yaml:5: nats must be a mapping of keys"}},
		{"not a number", minimal + "nats:\n  replicas: three\n",
			[]string{`conflux.yaml:6: nats.replicas: "three" is not a whole number`}},
		{"not a bool", minimal + "content:\n  include_archived: maybe\n",
			[]string{`conflux.yaml:6: content.include_archived: "maybe" is not true or false`}},
		{"list expected", minimal + "spaces:\n  include: {a: b}\n",
			[]string{"conflux.yaml:6: spaces.include: want a list of strings"}},
		{"bad size", minimal + "content:\n  attachments:\n    max_size: 10XB\n",
			[]string{`conflux.yaml:7: content.attachments.max_size: "10XB" is not a size like 100MB, 1GiB or 0`}},
		{"mode not octal", minimal + "sink:\n  file_mode: 0644x\n",
			[]string{`conflux.yaml:6: sink.file_mode: "0644x" is not an octal permission mode like 0600 or 0700`}},
		{"mode decimal", minimal + "sink:\n  dir_mode: 448\n",
			[]string{`conflux.yaml:6: sink.dir_mode: "448" is not an octal permission mode`}},
		{"mode with special bits", minimal + "sink:\n  dir_mode: \"1777\"\n",
			[]string{`conflux.yaml:6: sink.dir_mode: "1777" is not an octal permission mode`}},
		{"mode as a list", minimal + "sink:\n  file_mode: [6, 0, 0]\n",
			[]string{`conflux.yaml:6: sink.file_mode: want an octal permission mode like "0600"`}},
		{"null mode", minimal + "sink:\n  file_mode:\n",
			[]string{"conflux.yaml:6: sink.file_mode: no value; remove the key to keep the default 0600"}},
		{"max bad rows not a number", minimal + "users_csv_max_bad_rows: lots\n",
			[]string{`conflux.yaml:5: users_csv_max_bad_rows: "lots" is not a whole number`}},
		{"bad duration", minimal + "crawl:\n  full_every: 1 day\n",
			[]string{`conflux.yaml:6: crawl.full_every: "1 day" is not a duration like 15m, 1h30m or 7d`}},
		{"bare number duration", minimal + "crawl:\n  full_every: 900\n",
			[]string{`crawl.full_every: "900" is not a duration`}},
		{"null number", minimal + "nats:\n  replicas:\n",
			[]string{"conflux.yaml:6: nats.replicas: no value; remove the key to keep the default 1"}},
		{"unset variable", minimal + "nats:\n  url: ${NATS_HOSTS}\n",
			[]string{"conflux.yaml:6: nats.url: environment variable NATS_HOSTS is not set"}},
		{"bad variable name", minimal + "nats:\n  url: ${1X}\n",
			[]string{"conflux.yaml:6: nats.url: ${1X} is not a valid variable reference"}},
		{"unterminated variable", minimal + "nats:\n  url: ${X\n",
			[]string{"conflux.yaml:6: nats.url: unterminated ${"}},
		{"yaml syntax", "site: [x\n", []string{"conflux.yaml:"}},
		{"two documents", minimal + "---\nsite: y\n", []string{"conflux.yaml:5: a second YAML document"}},
		{"root not a mapping", "- a\n- b\n", []string{"conflux.yaml:1: the file must be a mapping of keys"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "conflux.yaml", nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestValidateErrors(t *testing.T) {
	cases := []struct {
		name  string
		extra string            // appended to minimal
		env   map[string]string // overrides
		want  string
	}{
		{"site missing", "", map[string]string{"CONFLUX_SITE": ""},
			"CONFLUX_SITE: site: required"},
		{"site not http", "", map[string]string{"CONFLUX_SITE": "ftp://acme"},
			`CONFLUX_SITE: site: "ftp://acme" is not an http(s) URL`},
		{"site no scheme", "", map[string]string{"CONFLUX_SITE": "acme.atlassian.net"},
			`site: "acme.atlassian.net" is not an http(s) URL`},
		{"site with /wiki", "", map[string]string{"CONFLUX_SITE": "https://acme.atlassian.net/wiki"},
			`site: "https://acme.atlassian.net/wiki" ends in /wiki; give the site root, e.g. https://acme.atlassian.net`},
		{"site with query", "", map[string]string{"CONFLUX_SITE": "https://acme.atlassian.net/?a=b"},
			`must not have a query or fragment`},
		{"auth mode", "", map[string]string{"CONFLUX_AUTH_MODE": "foo"},
			`CONFLUX_AUTH_MODE: auth.mode: "foo" is not one of api_token, oauth2`},
		{"api_token without email", "", map[string]string{"CONFLUX_AUTH_EMAIL": ""},
			"CONFLUX_AUTH_EMAIL: auth.email: required when auth.mode is api_token"},
		{"email without @", "", map[string]string{"CONFLUX_AUTH_EMAIL": "crawler"},
			`auth.email: "crawler" is not an email address`},
		{"api_token missing", "", map[string]string{"CONFLUX_AUTH_API_TOKEN": ""},
			"auth.api_token: required when auth.mode is api_token"},
		{"oauth2 without client id", "", map[string]string{"CONFLUX_AUTH_MODE": "oauth2"},
			"conflux.yaml:2: auth.oauth2.client_id: required when auth.mode is oauth2"},
		{"oauth2 without client secret", "", map[string]string{"CONFLUX_AUTH_MODE": "oauth2"},
			"auth.oauth2.client_secret: required when auth.mode is oauth2"},
		{"oauth2 without refresh token", "", map[string]string{"CONFLUX_AUTH_MODE": "oauth2"},
			"auth.oauth2.refresh_token: required when auth.mode is oauth2"},
		{"oauth2 bad token url", "", map[string]string{"CONFLUX_AUTH_MODE": "oauth2", "CONFLUX_AUTH_OAUTH2_TOKEN_URL": "auth.atlassian.com/oauth/token"},
			`CONFLUX_AUTH_OAUTH2_TOKEN_URL: auth.oauth2.token_url: "auth.atlassian.com/oauth/token" is not an http(s) URL`},
		{"empty space key", "spaces:\n  include: [ENG, '']\n", nil,
			`conflux.yaml:6: spaces.include: "" is not a space key`},
		{"sink type", "sink:\n  type: solr\n", nil,
			`conflux.yaml:6: sink.type: "solr" is not one of files, postgres, opensearch, elasticsearch`},
		{"postgres sink without dsn", "sink:\n  type: postgres\n", nil,
			"conflux.yaml:5: sink.dsn: required when sink.type is postgres"},
		{"files sink without dir", "sink:\n  dir: ''\n", nil,
			"conflux.yaml:6: sink.dir: required when sink.type is files"},
		{"max_delete_share above 1", "sink:\n  max_delete_share: 1.5\n", nil,
			"conflux.yaml:6: sink.max_delete_share: 1.5 is not in 0..1"},
		{"max_delete_share negative", "", map[string]string{"CONFLUX_SINK_MAX_DELETE_SHARE": "-0.1"},
			"CONFLUX_SINK_MAX_DELETE_SHARE: sink.max_delete_share: -0.1 is not in 0..1"},
		{"replicas 0", "nats:\n  replicas: 0\n", nil,
			"conflux.yaml:6: nats.replicas: 0 is not in 1..5"},
		{"replicas 6", "", map[string]string{"CONFLUX_NATS_REPLICAS": "6"},
			"CONFLUX_NATS_REPLICAS: nats.replicas: 6 is not in 1..5"},
		{"embedded without data dir", "nats:\n  data_dir: ''\n", nil,
			"nats.data_dir: required when nats.url is empty"},
		{"nats url scheme", "nats:\n  url: http://h1:4222\n", nil,
			`nats.url: "http://h1:4222": scheme "http" is not one of nats, tls, ws, wss`},
		{"nats url empty element", "nats:\n  url: nats://h1:4222,,nats://h2:4222\n", nil,
			`nats.url: "nats://h1:4222,,nats://h2:4222" has an empty server URL`},
		{"nats password without user", "nats:\n  password: p\n", nil,
			"nats.user: required when nats.password is set"},
		{"nats two auth methods", "nats:\n  token: t\n  creds_file: c.creds\n", nil,
			"conflux.yaml:5: nats: set only one of user/password, token, nkey_file, creds_file"},
		{"nats tls cert without key", "nats:\n  tls:\n    cert: c.pem\n", nil,
			"conflux.yaml:6: nats.tls: set both cert and key, or neither"},
		{"zero duration", "crawl:\n  incremental_every: 0s\n", nil,
			"conflux.yaml:6: crawl.incremental_every: 0s is not positive"},
		{"concurrency 0", "crawl:\n  concurrency: 0\n", nil,
			"conflux.yaml:6: crawl.concurrency: 0 is not in 1..256"},
		{"fetcher concurrency 257", "", map[string]string{"CONFLUX_CRAWL_FETCHER_CONCURRENCY": "257"},
			"CONFLUX_CRAWL_FETCHER_CONCURRENCY: crawl.fetcher_concurrency: 257 is not in 0..256; 0 means the stage table's figure"},
		{"negative max bad rows", "users_csv_max_bad_rows: -1\n", nil,
			"conflux.yaml:5: users_csv_max_bad_rows: -1 is negative; 0 means the default 100"},
		{"file mode without owner write", "sink:\n  file_mode: \"0444\"\n", nil,
			"conflux.yaml:6: sink.file_mode: 0444 does not give the owner read and write (0600)"},
		{"dir mode without owner search", "", map[string]string{"CONFLUX_SINK_DIR_MODE": "0600"},
			"CONFLUX_SINK_DIR_MODE: sink.dir_mode: 0600 does not give the owner read, write and search (0700)"},
		{"log level", "log:\n  level: verbose\n", nil,
			`conflux.yaml:6: log.level: "verbose" is not one of debug, info, warn, error`},
		{"log format", "", map[string]string{"CONFLUX_LOG_FORMAT": "xml"},
			`CONFLUX_LOG_FORMAT: log.format: "xml" is not one of auto, text, json`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := parseFails(t, tc.extra, tc.env, tc.want)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("no FieldError in %v", err)
			}
		})
	}
}

func TestValidateReportsAllProblems(t *testing.T) {
	c := Default()
	c.NATS.Replicas = 9
	c.Crawl.Concurrency = -1
	err := c.Validate()
	for _, w := range []string{"site: required", "auth.email: required", "nats.replicas: 9", "crawl.concurrency: -1"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
}

func TestOAuth2Valid(t *testing.T) {
	y := `site: http://127.0.0.1:8080
auth:
  mode: oauth2
  oauth2:
    client_id: cid
    client_secret: ${SECRET}
    refresh_token: ${REFRESH}
    token_url: http://127.0.0.1:8080/oauth/token
`
	c, err := Parse([]byte(y), "c.yaml", envOf(map[string]string{"SECRET": "s3", "REFRESH": "r3"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth.OAuth2.TokenURL != "http://127.0.0.1:8080/oauth/token" || c.Auth.OAuth2.AuthURL != DefaultAuthURL {
		t.Fatalf("urls: %+v", c.Auth.OAuth2)
	}
	if c.SiteHost() != "127.0.0.1:8080" || c.Auth.OAuth2.RefreshToken.Reveal() != "r3" {
		t.Fatalf("got %q %q", c.SiteHost(), c.Auth.OAuth2.RefreshToken.Reveal())
	}
}

func TestExpansion(t *testing.T) {
	y := minimal + `users_csv: $${HOME}/users-$${X}.csv
nats:
  url: ${HOSTS}
  replicas: ${REPLICAS}
  password: "${PASS}"
  user: u
spaces:
  include: [ENG, "${EXTRA}"]
crawl:
  full_every: ${FULL}
sink:
  dir: ${EMPTY}/out$x
`
	env := map[string]string{"HOSTS": "nats://a:4222", "REPLICAS": "3", "PASS": "007", "EXTRA": "OPS", "FULL": "7d", "EMPTY": ""}
	c, err := Parse([]byte(y), "c.yaml", envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if c.UsersCSV != "${HOME}/users-${X}.csv" {
		t.Errorf("escape: %q", c.UsersCSV)
	}
	if c.NATS.URL != "nats://a:4222" || c.NATS.Replicas != 3 || c.NATS.Password.Reveal() != "007" {
		t.Errorf("nats: %q %d %q", c.NATS.URL, c.NATS.Replicas, c.NATS.Password.Reveal())
	}
	if !reflect.DeepEqual(c.Spaces.Include, []string{"ENG", "OPS"}) {
		t.Errorf("include: %q", c.Spaces.Include)
	}
	if c.Crawl.FullEvery.Std() != 7*24*time.Hour {
		t.Errorf("full_every: %v", c.Crawl.FullEvery)
	}
	if c.Sink.Dir != "/out$x" {
		t.Errorf("dir: %q", c.Sink.Dir)
	}
	// An expanded value is data, never YAML.
	env["HOSTS"] = "nats://a:4222\nsite: evil"
	c, err = Parse([]byte(y), "c.yaml", envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if c.Site != "https://acme.atlassian.net" {
		t.Errorf("expansion injected YAML: site %q", c.Site)
	}
}

func TestOverrides(t *testing.T) {
	env := map[string]string{
		"CONFLUX_AUTH_API_TOKEN":               "from-env",
		"CONFLUX_NATS_URL":                     "nats://h1:4222,nats://h2:4222",
		"CONFLUX_SPACES_INCLUDE":               " ENG, OPS ,,",
		"CONFLUX_CONTENT_ATTACHMENTS_MAX_SIZE": "1GiB",
		"CONFLUX_CONTENT_INCLUDE_ARCHIVED":     "true",
		"CONFLUX_NATS_REPLICAS":                "3",
		"CONFLUX_CRAWL_INCREMENTAL_EVERY":      "5m",
		"CONFLUX_SINK_MAX_DELETE_SHARE":        "0.25",
		"CONFLUX_NATS_TLS_CA":                  "/etc/ca.pem",
		"CONFLUX_USERS_CSV":                    "/data/users.csv",
		"CONFLUX_USERS_CSV_MAX_BAD_ROWS":       "7",
		"CONFLUX_SINK_FILE_MODE":               "0o640",
		"CONFLUX_SINK_DIR_MODE":                "750",
		"UNSET_IN_FILE_BUT_OVERRIDDEN":         "",
	}
	// The file's unset ${VAR} for an overridden key is not an error.
	y := strings.Replace(minimal, "api_token: tok", "api_token: ${NOT_SET}", 1)
	c, err := Parse([]byte(y), "c.yaml", envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth.APIToken.Reveal() != "from-env" || c.NATS.URL != "nats://h1:4222,nats://h2:4222" ||
		!reflect.DeepEqual(c.Spaces.Include, []string{"ENG", "OPS"}) || c.Content.Attachments.MaxSize != GiB ||
		!c.Content.IncludeArchived || c.NATS.Replicas != 3 || c.Crawl.IncrementalEvery.Std() != 5*time.Minute ||
		c.Sink.MaxDeleteShare != 0.25 || c.NATS.TLS.CA != "/etc/ca.pem" || c.UsersCSV != "/data/users.csv" ||
		c.UsersCSVMaxBadRows != 7 || c.Sink.FileMode != 0o640 || c.Sink.DirMode != 0o750 {
		t.Fatalf("overrides not applied: %+v", c)
	}
	for name, want := range map[string]string{
		"CONFLUX_NATS_REPLICAS":                `CONFLUX_NATS_REPLICAS: nats.replicas: "many" is not a whole number`,
		"CONFLUX_CONTENT_ATTACHMENTS_MAX_SIZE": `CONFLUX_CONTENT_ATTACHMENTS_MAX_SIZE: content.attachments.max_size: "many" is not a size`,
		"CONFLUX_CRAWL_FULL_EVERY":             `CONFLUX_CRAWL_FULL_EVERY: crawl.full_every: "many" is not a duration`,
		"CONFLUX_CONTENT_INCLUDE_ARCHIVED":     `CONFLUX_CONTENT_INCLUDE_ARCHIVED: content.include_archived: "many" is not true or false`,
		"CONFLUX_SINK_FILE_MODE":               `CONFLUX_SINK_FILE_MODE: sink.file_mode: "many" is not an octal permission mode`,
	} {
		_, err := Parse([]byte(minimal), "c.yaml", envOf(map[string]string{name: "many"}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", name, err, want)
		}
	}
}

func TestEnvNames(t *testing.T) {
	keys := Keys()
	if len(keys) < 58 || !slices.Contains(keys, "metrics.addr") || !slices.Contains(keys, "rules.cql") || !slices.Contains(keys, "audit.sample") || !slices.Contains(keys, "content.attachments.extract.max_text") {
		t.Errorf("%d keys: %v", len(keys), keys)
	}
	seen := map[string]string{}
	for _, k := range keys {
		n := EnvName(k)
		if other, dup := seen[n]; dup {
			t.Errorf("%s and %s share the variable %s", k, other, n)
		}
		seen[n] = k
	}
	for k, want := range map[string]string{
		"auth.api_token":               "CONFLUX_AUTH_API_TOKEN",
		"nats.url":                     "CONFLUX_NATS_URL",
		"spaces.include":               "CONFLUX_SPACES_INCLUDE",
		"auth.oauth2.client_secret":    "CONFLUX_AUTH_OAUTH2_CLIENT_SECRET",
		"content.attachments.max_size": "CONFLUX_CONTENT_ATTACHMENTS_MAX_SIZE",
		"audit.max_calls_per_hour":     "CONFLUX_AUDIT_MAX_CALLS_PER_HOUR",
	} {
		if EnvName(k) != want {
			t.Errorf("EnvName(%s) = %s", k, EnvName(k))
		}
		if _, ok := seen[want]; !ok {
			t.Errorf("%s is not among Keys()", k)
		}
	}
}

// secretConfig has a distinct value in every secret and in credentials
// embedded in URLs.
func secretConfig(t *testing.T) Config {
	t.Helper()
	c, err := Parse([]byte(`site: https://acme.atlassian.net
auth:
  mode: oauth2
  email: a@b.c
  api_token: SECRET-api-token
  oauth2:
    client_id: cid
    client_secret: SECRET-client-secret
    refresh_token: SECRET-refresh-token
nats:
  url: nats://h1:4222
  token: SECRET-nats-token
`), "c.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.NATS.Password = "SECRET-nats-password" // set directly: Validate forbids token and password together
	c.Sink.DSN = "postgres://conflux:SECRET-dsn-password@db:5432/conflux"
	return c
}

func TestSecretsNeverPrinted(t *testing.T) {
	c := secretConfig(t)
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&out, verb+"\n", c)
		fmt.Fprintf(&out, verb+"\n", c.Auth.APIToken)
		fmt.Fprintf(&out, verb+"\n", &c)
	}
	fmt.Fprintln(&out, c.Auth.OAuth2.ClientSecret, c.NATS)
	slog.New(slog.NewTextHandler(&out, nil)).Info("config", "config", c, "token", c.NATS.Token)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("config", "config", c, "auth", c.Auth)
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(j)
	y, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(y)
	if strings.Contains(out.String(), "SECRET") {
		t.Fatalf("a secret was printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), Redacted) {
		t.Fatalf("no redaction marker:\n%s", out.String())
	}
	if c.NATS.Token.Reveal() != "SECRET-nats-token" {
		t.Fatal("Reveal lost the value")
	}
	if Secret("").String() != "" || fmt.Sprint(Secret("x")) != Redacted {
		t.Fatal("empty secret should print empty, a set one redacted")
	}
}

func TestErrorsNeverQuoteSecrets(t *testing.T) {
	cases := map[string]map[string]string{
		"site with password":      {"CONFLUX_SITE": "https://user:SECRET-pw@acme.atlassian.net"},
		"nats url with password":  {"CONFLUX_NATS_URL": "http://user:SECRET-pw@h1:4222"},
		"bad site with password":  {"CONFLUX_SITE": "ht tp://user:SECRET-pw@acme"},
		"token in a bad variable": {"CONFLUX_NATS_REPLICAS": "SECRET-pw"},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(minimal), "c.yaml", envOf(env))
			if err == nil {
				t.Fatal("no error")
			}
			if name != "token in a bad variable" && strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("error quotes a secret: %v", err)
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	cases := []struct {
		in   string
		want ByteSize
		bad  bool
	}{
		{"0", 0, false}, {"100MB", 100_000_000, false}, {"1GiB", 1 << 30, false}, {"512 kib", 512 << 10, false},
		{"1.5GB", 1_500_000_000, false}, {"42", 42, false}, {"7B", 7, false}, {"2tb", 2_000_000_000_000, false},
		{"", 0, true}, {"MB", 0, true}, {"-1MB", 0, true}, {"10XB", 0, true}, {"1.2.3MB", 0, true}, {"99999999TiB", 0, true},
	}
	for _, tc := range cases {
		got, err := ParseByteSize(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseByteSize(%q) = %d, %v", tc.in, got, err)
		}
	}
	for in, want := range map[ByteSize]string{0: "0", 100 * MB: "100MB", GiB: "1GiB", 1500: "1500B", 3 * KiB: "3KiB"} {
		if in.String() != want {
			t.Errorf("%d.String() = %s", in, in.String())
		}
		if back, _ := ParseByteSize(want); back != in {
			t.Errorf("round trip %s → %d", want, back)
		}
	}
}

func TestMode(t *testing.T) {
	cases := []struct {
		in   string
		want Mode
		bad  bool
	}{
		{"0600", 0o600, false}, {"600", 0o600, false}, {"0o700", 0o700, false}, {" 0640 ", 0o640, false}, {"0", 0, false},
		{"0777", 0o777, false}, {"", 0, true}, {"0o", 0, true}, {"0800", 0, true}, {"1000", 0, true}, {"-600", 0, true},
		{"rw-------", 0, true}, {"0x1ff", 0, true}, {"99999999999", 0, true},
	}
	for _, tc := range cases {
		got, err := ParseMode(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseMode(%q) = %v, %v", tc.in, got, err)
		}
	}
	// Quoted or not, YAML gives the text as written: 0600 is not 384.
	for _, y := range []string{"sink:\n  file_mode: 0640\n", "sink:\n  file_mode: \"0640\"\n", "sink:\n  file_mode: '640'\n"} {
		c, err := Parse([]byte(minimal+y), "c.yaml", nil)
		if err != nil || c.Sink.FileMode != 0o640 || c.Sink.FileMode.String() != "0640" {
			t.Errorf("%q: %v, %v", y, c.Sink.FileMode, err)
		}
	}
	out, err := yaml.Marshal(Default().Sink)
	if err != nil || !strings.Contains(string(out), `file_mode: "0600"`) || !strings.Contains(string(out), `dir_mode: "0700"`) {
		t.Errorf("marshal: %s %v", out, err)
	}
}

func TestDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"15m", 15 * time.Minute, false}, {"1h30m", 90 * time.Minute, false}, {"7d", 7 * 24 * time.Hour, false},
		{"0s", 0, false}, {"900", 0, true}, {"1 day", 0, true}, {"d", 0, true}, {"-1d", 0, true}, {"", 0, true},
	}
	for _, tc := range cases {
		got, err := ParseDuration(tc.in)
		if (err != nil) != tc.bad || got.Std() != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "conflux.yaml")
	if err := os.WriteFile(path, []byte(minimal+"  emial: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path+":5: unknown key auth.emial") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("err = %v", err)
	}
	if err := os.WriteFile(path, []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CONFLUX_NATS_REPLICAS", "2")
	c, err := Load(path)
	if err != nil || c.NATS.Replicas != 2 {
		t.Fatalf("Load: %+v, %v", c.NATS, err)
	}
}

func TestSiteHost(t *testing.T) {
	for site, want := range map[string]string{
		"https://Acme.Atlassian.net":  "acme.atlassian.net",
		"http://127.0.0.1:8080/":      "127.0.0.1:8080",
		" https://acme.atlassian.net": "acme.atlassian.net",
		"::not a url":                 "",
	} {
		if got := (Config{Site: site}).SiteHost(); got != want {
			t.Errorf("SiteHost(%q) = %q, want %q", site, got, want)
		}
	}
}

// parseFails parses the minimal configuration plus extra under env and
// fails the test unless that is an error containing want; it returns the
// error.
func parseFails(t *testing.T, extra string, env map[string]string, want string) error {
	t.Helper()
	_, err := Parse([]byte(minimal+extra), "conflux.yaml", envOf(env))
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q\ndoes not contain %q", err, want)
	}
	return err
}
