package storagetext

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain text", "just text", "just text"},
		{"paragraphs and headings on their own lines",
			"<h1>Title</h1><p>One</p><p>Two</p><h2>Sub</h2>", "Title\nOne\nTwo\nSub"},
		{"inline markup dropped, words kept apart",
			"<p>a <strong>bold</strong> and <em>it</em>al<u>ic</u></p>", "a bold and italic"},
		{"whitespace collapsed", "<p>  a \n\t b   </p>\n\n<p>\n c </p>", "a b\nc"},
		{"entities", "<p>a&nbsp;b &amp; c &lt;d&gt; &quot;e&quot; &rsquo; &#169; &#x263A;</p>", "a b & c <d> \"e\" ’ © ☺"},
		{"bad entities kept as written", "<p>&foo; &amp &#xZZ; &</p>", "&foo; & &#xZZ; &"},
		{"br is a line break", "<p>a<br/>b<br>c</p>", "a\nb\nc"},
		{"empty blocks leave no blank lines", "<p>a</p><p></p><p> </p><div><p></p></div><p>b</p>", "a\nb"},
		{"bulleted list", "<ul><li>one</li><li>two</li></ul>", "- one\n- two"},
		{"ordered list numbered", "<ol><li>a</li><li>b</li></ol><ol start=\"4\"><li>d</li></ol>", "1. a\n2. b\n4. d"},
		{"nested lists indented", "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>", "- a\n  - b\n    1. c\n- d"},
		{"paragraph inside a list item", "<ul><li><p>a</p></li><li><p>b</p><p>c</p></li></ul>", "- a\n- b\nc"},
		{"empty list item leaves no marker", "<ul><li></li><li>b</li></ul>", "- b"},
		{"table rows and tab-separated cells",
			"<table><tbody><tr><th>H1</th><th>H2</th></tr><tr><td>a</td><td>b</td></tr></tbody></table>", "H1\tH2\na\tb"},
		{"empty cell keeps its column", "<table><tr><td>a</td><td></td><td>c</td></tr></table>", "a\t\tc"},
		{"blocks inside a cell stay on the row",
			"<table><tr><td><p>a</p><p>b</p><ul><li>x</li></ul></td><td>c<br/>d</td></tr></table>", "a b x\tc d"},
		{"code macro verbatim from CDATA",
			`<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">go</ac:parameter><ac:plain-text-body><![CDATA[if a < b && c > 0 {
	x := "&amp;"   
}]]></ac:plain-text-body></ac:structured-macro>`,
			"if a < b && c > 0 {\n\tx := \"&amp;\"   \n}"},
		{"code between paragraphs, blank edges trimmed",
			"<p>before</p><ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[\n\nx = 1\n\n]]></ac:plain-text-body></ac:structured-macro><p>after</p>",
			"before\nx = 1\nafter"},
		{"CDATA split around ]]> rejoined",
			"<ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[a]]]]><![CDATA[>b]]></ac:plain-text-body></ac:structured-macro>", "a]]>b"},
		{"old ac:macro format", "<ac:macro ac:name=\"noformat\"><ac:plain-text-body><![CDATA[  raw  text]]></ac:plain-text-body></ac:macro>", "  raw  text"},
		{"pre keeps white space", "<pre>a  b\n  c</pre><p>d</p>", "a  b\n  c\nd"},
		{"macro body kept, presentation parameters dropped",
			`<ac:structured-macro ac:name="warning"><ac:parameter ac:name="icon">false</ac:parameter><ac:parameter ac:name="title">Careful</ac:parameter><ac:rich-text-body><p>Body</p></ac:rich-text-body></ac:structured-macro>`, "Warning: Careful\nBody"},
		{"macro without body or kept parameters leaves nothing",
			`<p>a</p><ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro><p>b</p>`, "a\nb"},
		{"html macro converted", `<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<p>x <b>y</b></p><script>alert(1)</script>]]></ac:plain-text-body></ac:structured-macro>`, "x y"},
		{"link with plain text body",
			`<p>see <ac:link><ri:page ri:content-title="Page A"/><ac:plain-text-link-body><![CDATA[the page]]></ac:plain-text-link-body></ac:link>.</p>`, "see the page."},
		{"link with rich body",
			`<p><ac:link><ri:page ri:content-title="P"/><ac:link-body>rich <b>text</b></ac:link-body></ac:link></p>`, "rich text"},
		{"link to a page without body shows the title",
			`<p>see <ac:link><ri:page ri:space-key="ENG" ri:content-title="Page &amp; B"/></ac:link></p>`, "see Page & B"},
		{"link to an attachment shows the file name",
			`<p><ac:link><ri:attachment ri:filename="plan.pdf"><ri:page ri:content-title="Other"/></ri:attachment></ac:link></p>`, "plan.pdf"},
		{"link to a blog post, a space, a url",
			`<p><ac:link><ri:blog-post ri:content-title="News" ri:posting-day="2024/01/02"/></ac:link> <ac:link><ri:space ri:space-key="OPS"/></ac:link> <ac:link><ri:url ri:value="https://x.example"/></ac:link></p>`,
			"News OPS https://x.example"},
		{"anchor link falls back to the anchor", `<p><ac:link ac:anchor="install"/></p>`, "install"},
		{"user mention dropped", `<p>ask <ac:link><ri:user ri:account-id="5b10"/></ac:link> now</p>`, "ask now"},
		{"html anchor text kept", `<p><a href="https://x">site</a></p>`, "site"},
		{"task list", `<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>done</ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body><span>open</span></ac:task-body></ac:task></ac:task-list>`,
			"- [x] done\n- [ ] open"},
		{"emoticons dropped", `<p>ok <ac:emoticon ac:name="smile" ac:emoji-fallback="🙂"/> fine</p>`, "ok fine"},
		{"time without text shows its date", `<p>due <time datetime="2024-05-01" /></p>`, "due 2024-05-01"},
		{"placeholder, image, script and style dropped",
			`<p><ac:placeholder>type here</ac:placeholder><ac:image><ri:attachment ri:filename="a.png"/></ac:image><script>x()</script><style>p{}</style>text</p>`, "text"},
		{"layouts are blocks", `<ac:layout><ac:layout-section><ac:layout-cell><p>a</p></ac:layout-cell><ac:layout-cell><p>b</p></ac:layout-cell></ac:layout-section></ac:layout>`, "a\nb"},
		{"adf extension keeps content not fallback",
			`<ac:adf-extension><ac:adf-node type="panel"><ac:adf-attribute key="panel-type">note</ac:adf-attribute><ac:adf-content><p>note text</p></ac:adf-content></ac:adf-node><ac:adf-fallback><div><p>note text</p></div></ac:adf-fallback></ac:adf-extension>`,
			"note text"},
		{"comments dropped", "<p>a<!-- hidden -->b</p>", "ab"},
		// Malformed input.
		{"unclosed tags", "<p>a<b>b<p>c", "ab\nc"},
		{"stray end tags", "</p></div>a</li></table>b", "ab"},
		{"end tag closes what is open inside", "<div><p>a<ul><li>b</div>c", "a\n- b\nc"},
		{"unclosed CDATA", `<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x < y`, "x < y"},
		{"unclosed tag at end", "<p>a</p><ac:link", "a"},
		{"lone angle brackets", "<p>1 < 2 > 0</p>", "1 < 2 > 0"},
		{"invalid UTF-8 repaired", "<p>caf\xe9 ok</p>", "caf\uFFFD ok"},
		{"control characters dropped", "<p>a\x00b\x07c\x1b</p>", "abc"},
		{"xmp content parsed, not raw", "<xmp><b>x</b></xmp>", "x"},
		{"self-closed script does not swallow the page", "<script/><p>a</p>", "a"},
		{"script content dropped even with markup inside", "<script>if (a<b) { x('</p>') }</script><p>b</p>", "b"},
		{"control characters before a code block", "<pre>\x1d\n0</pre>", "0"},
		{"deep nesting survives", strings.Repeat("<div>", 5000) + "deep" + strings.Repeat("</div>", 5000), "deep"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Text(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			checkOutput(t, tc.in, got)
		})
	}
}

func TestNotText(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00\x5c\x72\xa8\x66\x00\x00\x00\x01sRGB\x00\xae\xce\x1c\xe9"
	if _, err := Text(png); !errors.Is(err, ErrNotText) {
		t.Fatalf("binary input: err = %v", err)
	}
	// A little junk inside a real page is repaired, not refused.
	page := "<p>" + strings.Repeat("real words ", 20) + "\x00\xff\xfe\x01</p>"
	if got, err := Text(page); err != nil || !strings.HasPrefix(got, "real words") {
		t.Fatalf("page with junk: %q, %v", got, err)
	}
}

func TestGoldenPage(t *testing.T) {
	in, err := os.ReadFile("testdata/runbook.xml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/runbook.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Text(string(in))
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.TrimSuffix(string(want), "\n") {
		t.Fatalf("got:\n%s\n\nwant:\n%s", got, want)
	}
	for _, leftover := range []string{"ac:", "ri:", "<p", "CDATA", "health.sh", "bash", "5b10", "Add history"} {
		if strings.Contains(got, leftover) {
			t.Errorf("output contains %q", leftover)
		}
	}
}

// checkOutput asserts what holds for every output.
func checkOutput(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 out of %q", in)
	}
	for _, r := range out {
		if r < 0x20 && r != '\n' && r != '\t' {
			t.Fatalf("control character %U out of %q", r, in)
		}
	}
	if out != strings.TrimRightFunc(out, unicode.IsSpace) || strings.HasPrefix(out, "\n") {
		t.Fatalf("output of %q starts or ends with blank lines: %q", in, out)
	}
}
