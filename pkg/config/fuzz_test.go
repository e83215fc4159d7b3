package config

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse feeds Parse a file and one environment variable. No input may
// panic; an error names the file or the variable; a configuration that
// parses is valid, and written back as YAML it parses to the same YAML.
func FuzzParse(f *testing.F) {
	f.Add(minimal, "", "")
	f.Add(Example, "CONFLUX_API_TOKEN", "tok")
	f.Add(minimal+"users_csv: ./export-users.csv\nusers_csv_max_bad_rows: 10\nsink:\n  file_mode: 0640\n  dir_mode: \"0750\"\n", "CONFLUX_SINK_FILE_MODE", "0o600")
	f.Add(minimal+"nats:\n  url: ${HOSTS}\n  replicas: ${R}\n", "R", "3")
	f.Add(minimal+"spaces:\n  include: [ENG, \"${X}\"]\n  exclude: [OPS]\n", "CONFLUX_SPACES_INCLUDE", " ENG, OPS ,,")
	f.Add(minimal+"content:\n  attachments:\n    max_size: 1.5GB\ncrawl:\n  full_every: 7d\n  concurrency: 8\n", "CONFLUX_CRAWL_INCREMENTAL_EVERY", "5m")
	f.Add("site: http://127.0.0.1:8080\nauth:\n  mode: oauth2\n  oauth2:\n    client_id: c\n    client_secret: s\n    refresh_token: r\n", "CONFLUX_AUTH_OAUTH2_TOKEN_URL", "http://127.0.0.1:8080/oauth/token")
	f.Add("a: &x {b: 1}\nsite: *x\n", "", "")
	f.Add(minimal+"sink:\n  dir: $${HOME}/out\n  max_delete_share: .nan\n", "CONFLUX_USERS_CSV_MAX_BAD_ROWS", "-1")
	f.Add(minimal+"---\n", "CONFLUX_NATS_REPLICAS", "")
	f.Fuzz(func(t *testing.T, data, name, value string) {
		env := envOf(map[string]string{name: value})
		c, err := Parse([]byte(data), "c.yaml", env)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "c.yaml") && !strings.HasPrefix(msg, EnvPrefix) {
				t.Fatalf("error names neither the file nor a variable: %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse returned an invalid configuration: %v", err)
		}
		first := marshal(t, c)
		if strings.Contains(first, "${") {
			return // a value holding "${" would be expanded when read back
		}
		again, err := Parse([]byte(first), "again.yaml", nil)
		if err != nil {
			t.Fatalf("written back, it fails: %v\n%s", err, first)
		}
		if second := marshal(t, again); second != first {
			t.Fatalf("round trip differs:\n%s\n---\n%s", first, second)
		}
	})
}

// marshal writes c as YAML; secrets are written "[redacted]" and read back
// as that text, so the comparison holds for them too.
func marshal(t *testing.T, c Config) string {
	t.Helper()
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
