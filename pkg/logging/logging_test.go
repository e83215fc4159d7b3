package logging

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	cases := []struct {
		name, format string
		json         bool
	}{
		{"auto off a terminal is JSON", "auto", true},
		{"empty is auto", "", true},
		{"json", "JSON", true},
		{"text is tint without colour off a terminal", "text", false},
		{"unknown falls back to auto", "xml", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			New(&buf, "info", tc.format).Info("crawl done", "space_id", "98304", "items", 12)
			last := lastLine(buf.String())
			var rec map[string]any
			isJSON := json.Unmarshal([]byte(last), &rec) == nil
			if isJSON != tc.json {
				t.Fatalf("JSON = %v, want %v: %q", isJSON, tc.json, buf.String())
			}
			if isJSON && (rec["msg"] != "crawl done" || rec["space_id"] != "98304" || rec["items"] != 12.0) {
				t.Fatalf("record %v", rec)
			}
			if !isJSON && (!strings.Contains(last, "crawl done") || !strings.Contains(last, "space_id=98304") || strings.Contains(last, "\x1b[")) {
				t.Fatalf("text line %q", last)
			}
		})
	}
}

func TestLevels(t *testing.T) {
	cases := []struct {
		level     string
		debug     bool
		info      bool
		warnsBack bool // the logger's first record complains about the level
	}{
		{"debug", true, true, false},
		{"INFO", false, true, false},
		{"", false, true, false},
		{"warn", false, false, false},
		{"error", false, false, false},
		{"loud", false, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.level, func(t *testing.T) {
			var buf bytes.Buffer
			log := New(&buf, tc.level, "json")
			log.Debug("d")
			log.Info("i")
			out := buf.String()
			if got := strings.Contains(out, `"msg":"d"`); got != tc.debug {
				t.Errorf("debug shown = %v: %s", got, out)
			}
			if got := strings.Contains(out, `"msg":"i"`); got != tc.info {
				t.Errorf("info shown = %v: %s", got, out)
			}
			if got := strings.Contains(out, "unknown log level"); got != tc.warnsBack {
				t.Errorf("warning = %v: %s", got, out)
			}
		})
	}
}

type secretish string

func (secretish) LogValue() slog.Value { return slog.StringValue("[redacted]") }

func TestRedaction(t *testing.T) {
	const leak = "LEAKED-abcdefghijklmnop"
	cases := []struct {
		name   string
		attr   slog.Attr
		redact bool
	}{
		{"token", slog.String("token", leak), true},
		{"api_token", slog.String("api_token", leak), true},
		{"Authorization", slog.String("Authorization", leak), true},
		{"client_secret", slog.String("client_secret", leak), true},
		{"password", slog.String("nats_password", leak), true},
		{"refresh token any", slog.Any("refresh_token", []string{leak}), true},
		{"in a group", slog.Group("auth", slog.String("token", leak)), true},
		{"bearer value under any key", slog.String("header", "Bearer "+leak), true},
		{"basic value under any key", slog.String("h", "Basic dXNlcjpMRUFLRUQtYWJj"), true}, // user:LEAKED-abc
		{"log valuer", slog.Any("api_token", secretish(leak)), true},
		{"count of tokens kept", slog.Int("tokens_refreshed", 3), false},
		{"token url kept", slog.String("token_url", "https://auth.atlassian.com/oauth/token"), false},
		{"prose kept", slog.String("auth", "basic auth enabled"), false},
		{"ordinary key kept", slog.String("space_id", "98304"), false},
	}
	for _, format := range []string{"json", "text"} {
		for _, tc := range cases {
			t.Run(format+"/"+tc.name, func(t *testing.T) {
				var buf bytes.Buffer
				New(&buf, "info", format).LogAttrs(t.Context(), slog.LevelInfo, "m", tc.attr)
				out := buf.String()
				if strings.Contains(out, "LEAKED") {
					t.Fatalf("secret printed: %s", out)
				}
				if got := strings.Contains(out, Redacted); got != tc.redact {
					t.Fatalf("redacted = %v, want %v: %s", got, tc.redact, out)
				}
			})
		}
	}
	// With attributes bound early through With, too.
	var buf bytes.Buffer
	New(&buf, "info", "json").With("token", leak).Info("m")
	if strings.Contains(buf.String(), "LEAKED") {
		t.Fatalf("secret printed through With: %s", buf.String())
	}
}

func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, wr := range map[string]io.Writer{"pipe": w, "dev null": null, "buffer": &bytes.Buffer{}} {
		if IsTerminal(wr) {
			t.Errorf("%s taken for a terminal", name)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestCharDeviceIsTerminal pins the heuristic: any character device other
// than os.DevNull counts as a terminal (there is no pty in CI to test a real
// one), and New then writes tint's coloured text to it.
func TestCharDeviceIsTerminal(t *testing.T) {
	f, err := os.OpenFile("/dev/zero", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/zero: %v", err)
	}
	defer f.Close()
	if !IsTerminal(f) {
		t.Fatal("/dev/zero is a character device but not taken for a terminal")
	}
	New(f, "info", "auto").Info("coloured")
}

// TestDurationsAreText: a duration logs as "1.5s" in JSON (slog writes
// nanoseconds otherwise), inside groups too; other numbers stay numbers.
func TestDurationsAreText(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, "info", "json").Info("retry", "took", 1500*time.Millisecond, "delay", 250*time.Microsecond,
		slog.Group("http", "retry_after", 2*time.Minute), "attempt", 3)
	var rec map[string]any
	if err := json.Unmarshal([]byte(lastLine(buf.String())), &rec); err != nil {
		t.Fatal(err)
	}
	http, _ := rec["http"].(map[string]any)
	if rec["took"] != "1.5s" || rec["delay"] != "250µs" || http["retry_after"] != "2m0s" || rec["attempt"] != 3.0 {
		t.Errorf("record %v", rec)
	}
	if !IsJSON(&buf, "auto") || IsJSON(&buf, "text") || !IsJSON(&buf, "json") {
		t.Error("IsJSON off a terminal: auto and json write JSON, text does not")
	}
}
