package storagetext

import (
	"html"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzText checks that no input panics, that every output is clean text,
// and that the output read back as a page (escaped) gives the same words:
// Text keeps text and drops only markup.
func FuzzText(f *testing.F) {
	page, err := os.ReadFile("testdata/runbook.xml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(page), "", "<p>a</p>", "<ul><li>x<li>y</ul>", "<table><tr><td>a<td>b</table>",
		`<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro>`,
		`<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<ac:structured-macro ac:name="html"><ac:plain-text-body>&lt;p&gt;x</ac:plain-text-body></ac:structured-macro>]]></ac:plain-text-body></ac:structured-macro>`,
		`<ac:link><ri:page ri:content-title="T"/></ac:link>`, "<![CDATA[", "</p></p><p", "&#0;&#xD800;&amp",
		"<pre>\r\n a\r\n</pre>", "\xff\xfe\xfd", "<time datetime=x>", "<ac:task><ac:task-status>complete",
		strings.Repeat("<ul><li>", 100), "<script>", "<plaintext><b>", "<title><p>x</p></title>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Text(in)
		if err != nil {
			return
		}
		checkOutput(t, in, out)
		checkReadBack(t, in, out)
	})
}

// checkReadBack checks that a conversion's output, escaped and read as a
// page again, keeps its words.
func checkReadBack(t *testing.T, in, out string) {
	t.Helper()
	again, err := Text(html.EscapeString(out))
	if err != nil {
		t.Fatalf("output of %q is refused when read back: %v", in, err)
	}
	if a, b := strings.Fields(out), strings.Fields(again); !reflect.DeepEqual(a, b) {
		t.Fatalf("words changed when read back\n in: %q\nout: %q\nagain: %q", in, out, again)
	}
}
