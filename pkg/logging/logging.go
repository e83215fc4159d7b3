// Package logging builds conflux's log/slog loggers: coloured, compact text
// (github.com/lmittmann/tint) for a person at a terminal, JSON for
// everything else, and in both a safety net that redacts attributes whose
// key names a secret.
//
// The net is not the protection: secrets are config.Secret values, which
// log as "[redacted]" on their own. The net catches a raw string logged
// under a key such as "token", "client_secret", "password" or
// "authorization", and any string value that is an Authorization header
// value ("Bearer <token>", "Basic <base64 of user:password>") whatever its
// key.
package logging

import (
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/lmittmann/tint"
)

// Formats accepted by New.
const (
	FormatAuto = "auto" // tint when w is a terminal, JSON otherwise
	FormatText = "text" // tint, coloured only when w is a terminal
	FormatJSON = "json" // slog's JSON handler
)

// New returns a logger writing to w at level (debug, info, warn, error,
// case-insensitive; slog's forms such as "warn+2" too; "" is info) in
// format (auto, text or json; "" is auto):
//
//   - text: tint, coloured when w is a terminal, plain otherwise;
//   - auto: tint with colours when w is a terminal, JSON otherwise;
//   - json: slog's JSON handler, with durations written as text
//     ("1.5s", as time.Duration.String) rather than nanoseconds.
//
// An unknown level or format falls back to info or auto and the logger's
// first record says so (config.Validate rejects both earlier). Every
// handler redacts secret-looking attributes (see the package comment).
func New(w io.Writer, level, format string) *slog.Logger {
	lvl, lvlErr := parseLevel(level)
	format = strings.ToLower(strings.TrimSpace(format))
	badFormat := format != "" && format != FormatAuto && format != FormatText && format != FormatJSON
	term := IsTerminal(w)

	var h slog.Handler
	switch {
	case !IsJSON(w, format):
		h = tint.NewTextHandler(w, &tint.Options{
			Level:       lvl,
			ReplaceAttr: redact,
			TimeFormat:  time.TimeOnly + ".000",
			NoColor:     !term,
		})
	default:
		h = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl, ReplaceAttr: jsonAttr})
	}
	log := slog.New(h)
	if lvlErr {
		log.Warn("unknown log level, using info", "level", level)
	}
	if badFormat {
		log.Warn("unknown log format, using auto", "format", format)
	}
	return log
}

// IsJSON reports whether New(w, _, format) writes JSON lines: format json,
// or auto (or "", or an unknown format) when w is not a terminal. Whatever
// else a program writes to w then should be a log record too.
func IsJSON(w io.Writer, format string) bool {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case FormatJSON:
		return true
	case FormatText:
		return false
	}
	return !IsTerminal(w)
}

// jsonAttr is the JSON handler's ReplaceAttr: redact, then durations as
// text ("took":"1.5s", not "took":1500000000).
func jsonAttr(groups []string, a slog.Attr) slog.Attr {
	a = redact(groups, a)
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

func parseLevel(s string) (slog.Level, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return slog.LevelInfo, false
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo, true
	}
	return l, false
}

// IsTerminal reports whether w is a character device such as a terminal.
// It checks the file mode instead of calling the termios ioctl so that it
// needs no dependency beyond the standard library; os.DevNull, also a
// character device, is excluded by name.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f.Name() == os.DevNull {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
