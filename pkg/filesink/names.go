package filesink

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest file name SafeName returns, in bytes. Most
// file systems allow 255; the rest is left for the temporary-file prefix.
const MaxNameBytes = 200

// maxIDBytes is the longest id segment SafeID returns before the ".json"
// suffix, in bytes.
const maxIDBytes = 120

// maxExtBytes is the longest extension SafeName keeps when it truncates a
// name; a longer "extension" is treated as part of the stem.
const maxExtBytes = 16

// fallbackName replaces a file name that is empty once made safe.
const fallbackName = "file"

// reserved are the device names Windows refuses as a file name, with or
// without an extension, in any case.
var reserved = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
	"COM¹": true, "COM²": true, "COM³": true, "LPT¹": true, "LPT²": true, "LPT³": true,
}

func isReserved(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	return reserved[strings.ToUpper(strings.TrimRight(stem, " "))]
}

// SafeName turns an attachment's file name into one path element that
// cannot leave its directory and that every common file system accepts:
// invalid UTF-8, NUL, control and format characters (including bidi
// overrides), path separators and the characters Windows forbids
// (<>:"/\|?*) become "_"; leading dots and spaces, and trailing dots and
// spaces, are removed (so "." and ".." cannot result and nothing is
// hidden); a Windows device name (CON, NUL, COM1, …) gets a "_" prefix; a
// name longer than MaxNameBytes is cut on a character boundary, keeping its
// extension. An empty result becomes "file". Different names may map to
// the same safe name; the sink keeps one file per attachment, so that is
// harmless.
func SafeName(name string) string {
	name = strings.ToValidUTF8(name, "_")
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		if unsafeRune(r) {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	out := strings.TrimLeft(b.String(), ". ")
	out = strings.TrimRight(out, ". ")
	if out == "" {
		return fallbackName
	}
	if isReserved(out) {
		out = "_" + out
	}
	return truncateName(out, MaxNameBytes)
}

func unsafeRune(r rune) bool {
	switch r {
	case '/', '\\', '<', '>', ':', '"', '|', '?', '*', utf8.RuneError:
		return true
	}
	return r < 0x20 || r == 0x7f || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		r == '\u2028' || r == '\u2029'
}

// truncateName cuts name to at most limit bytes on a rune boundary, keeping
// a short extension.
func truncateName(name string, limit int) string {
	if len(name) <= limit {
		return name
	}
	ext := path.Ext(name)
	if len(ext) > maxExtBytes || len(ext) == len(name) {
		ext = ""
	}
	stem := cutRunes(strings.TrimSuffix(name, ext), limit-len(ext))
	return strings.TrimRight(stem, ". ") + ext
}

// cutRunes returns the longest prefix of s of at most n bytes that ends on
// a rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// SafeID turns a document or group id into one path element, injectively:
// ASCII letters, digits, "-" and "_" stay, "." stays except in the first
// place, and every other byte is written as "%XX" (so "a/b" and "a_b" stay
// distinct, and "..", "/" or NUL cannot appear). A Windows device name has
// its first character escaped. An id longer than 120 bytes once escaped is
// cut and suffixed with "~" and 16 hex digits of its SHA-256. Confluence
// ids are numbers or "att" + number and pass unchanged. SafeID("") is "%";
// callers reject empty ids before that.
func SafeID(id string) string {
	if id == "" {
		return "%"
	}
	var b strings.Builder
	b.Grow(len(id))
	for i := 0; i < len(id); i++ {
		c := id[i]
		keep := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' && i > 0
		if keep && !(i == 0 && isReserved(id)) {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%")
		b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	out := b.String()
	if len(out) <= maxIDBytes {
		return out
	}
	sum := sha256.Sum256([]byte(id))
	return out[:maxIDBytes-17] + "~" + hex.EncodeToString(sum[:8])
}
