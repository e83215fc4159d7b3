package filesink

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("a", 300) + ".pdf"
	longMulti := strings.Repeat("é", 150) + ".txt"
	longExt := "x." + strings.Repeat("e", 250)
	tests := []struct {
		name, in, want string
	}{
		{"plain", "report.pdf", "report.pdf"},
		{"unicode kept", "résumé 2024.docx", "résumé 2024.docx"},
		{"parent traversal", "../../etc/passwd", "_.._etc_passwd"},
		{"windows traversal", `..\..\boot.ini`, `_.._boot.ini`},
		{"absolute", "/etc/shadow", "_etc_shadow"},
		{"dot", ".", "file"},
		{"dot dot", "..", "file"},
		{"empty", "", "file"},
		{"spaces only", "   ", "file"},
		{"hidden", ".bashrc", "bashrc"},
		{"nul", "a\x00b.txt", "a_b.txt"},
		{"newline", "a\nb\r.txt", "a_b_.txt"},
		{"del char", "a\x7fb", "a_b"},
		{"c1 control", "a\u0085b", "a_b"},
		{"bidi override", "invoice\u202Efdp.exe", "invoice_fdp.exe"},
		{"line separator", "a\u2028b", "a_b"},
		{"windows forbidden", `a<b>c:d"e|f?g*h`, "a_b_c_d_e_f_g_h"},
		{"drive letter", `C:\Windows\x.dll`, "C__Windows_x.dll"},
		{"trailing dots and spaces", "name. . ", "name"},
		{"reserved", "CON", "_CON"},
		{"reserved lower with ext", "nul.txt", "_nul.txt"},
		{"reserved com", "com1.log", "_com1.log"},
		{"reserved lpt superscript", "LPT¹", "_LPT¹"},
		{"not reserved", "console.txt", "console.txt"},
		{"invalid utf8", "\xff\xfe.txt", "_.txt"},
		{"long keeps extension", long, strings.Repeat("a", MaxNameBytes-4) + ".pdf"},
		{"long multibyte", longMulti, strings.Repeat("é", (MaxNameBytes-4)/2) + ".txt"},
		{"long extension is stem", longExt, longExt[:MaxNameBytes]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SafeName(tt.in)
			if got != tt.want {
				t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkSafeElement(t, got)
		})
	}
}

// checkSafeElement asserts the invariants every safe path element has.
func checkSafeElement(t *testing.T, s string) {
	t.Helper()
	switch {
	case s == "" || s == "." || s == "..":
		t.Errorf("%q is not a file name", s)
	case strings.ContainsAny(s, "/\\\x00"):
		t.Errorf("%q contains a separator or NUL", s)
	case strings.HasPrefix(s, "."):
		t.Errorf("%q starts with a dot", s)
	case len(s) > MaxNameBytes:
		t.Errorf("%q is %d bytes, more than %d", s, len(s), MaxNameBytes)
	case !utf8.ValidString(s):
		t.Errorf("%q is not valid UTF-8", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			t.Errorf("%q contains control character %U", s, r)
		}
	}
}

func TestSafeID(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"numeric", "123456", "123456"},
		{"attachment", "att98304", "att98304"},
		{"dashes and underscores", "a-b_c", "a-b_c"},
		{"inner dot", "a.b", "a.b"},
		{"slash", "a/b", "a%2Fb"},
		{"traversal", "../x", "%2E.%2Fx"},
		{"dot dot", "..", "%2E."},
		{"backslash", `a\b`, "a%5Cb"},
		{"nul", "a\x00b", "a%00b"},
		{"percent", "a%2Fb", "a%252Fb"},
		{"space", "a b", "a%20b"},
		{"reserved", "CON", "%43ON"},
		{"reserved with ext", "nul.json", "%6Eul.json"},
		{"unicode", "é", "%C3%A9"},
		{"empty", "", "%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SafeID(tt.in)
			if got != tt.want {
				t.Errorf("SafeID(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkSafeElement(t, got)
		})
	}
}

func TestSafeIDInjective(t *testing.T) {
	long := strings.Repeat("9", 400)
	ids := []string{
		"a/b", "a_b", "a%2Fb", "a%b", "a.b", ".ab", "%2Eab", "CON", "%43ON", "con", "a b", "a+b",
		long + "1", long + "2", long[:200], strings.Repeat("/", 200), strings.Repeat("%2F", 100),
	}
	seen := map[string]string{}
	for _, id := range ids {
		s := SafeID(id)
		checkSafeElement(t, s)
		if len(s) > maxIDBytes {
			t.Errorf("SafeID(%.20q…) is %d bytes, more than %d", id, len(s), maxIDBytes)
		}
		if prev, dup := seen[s]; dup {
			t.Errorf("SafeID(%.20q…) = SafeID(%.20q…) = %q", id, prev, s)
		}
		seen[s] = id
	}
}
