package storagetext

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// fuzzOptions name every user after the length of its id and supply, for
// every include, text with control characters and line breaks in it: the
// output must stay clean whatever the caller supplies.
var fuzzOptions = Options{
	UserName: func(id string) string {
		if len(id)%3 == 0 {
			return ""
		}
		return "User Name\x00\r\n"
	},
	Include: func(space, title string) (string, bool) {
		return "included " + space + "\x01\r\n" + title + "\n\n", len(title)%2 == 0
	},
}

// storageSeeds are the storage-format samples of the construct tests.
func storageSeeds(tb testing.TB) []string {
	seeds := []string{
		`<p>Owner: <ac:link><ri:user ri:account-id="557058:abc"/></ac:link> please review.</p>`,
		`<p>see<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">OPS-1</ac:parameter></ac:structured-macro>now</p>`,
		`<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro>`,
		`<ac:structured-macro ac:name="note"><ac:rich-text-body><ul><li>x</li></ul></ac:rich-text-body></ac:structured-macro>`,
		`<ac:macro ac:name="include"><ac:default-parameter>ENG:Shared steps</ac:default-parameter></ac:macro>`,
		`<ac:structured-macro ac:name="view-file"><ac:parameter ac:name="name"><ri:attachment ri:filename="p.xlsx"/></ac:parameter></ac:structured-macro>`,
		`<table><tr><td>a<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x
y]]></ac:plain-text-body></ac:structured-macro></td><td></td></tr><tr><td>b</td></tr></table>`,
		`<ac:structured-macro ac:name="info"><ac:parameter ac:name="title"><ac:structured-macro ac:name="status">`,
		`<ac:structured-macro ac:name="include"><ac:parameter ac:name=""><ac:structured-macro ac:name="include">`,
	}
	for _, name := range []string{"testdata/runbook.xml", "testdata/constructs.xml"} {
		page, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, string(page))
	}
	return seeds
}

// FuzzTextWith checks TextWith as FuzzText checks Text, with options that
// supply names and included text, and that with the zero Options it is
// Text.
func FuzzTextWith(f *testing.F) {
	for _, s := range storageSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		plain, plainErr := Text(in)
		zero, zeroErr := TextWith(in, Options{})
		if plain != zero || (plainErr == nil) != (zeroErr == nil) {
			t.Fatalf("Text and TextWith with zero Options differ on %q:\n%q %v\n%q %v", in, plain, plainErr, zero, zeroErr)
		}
		out, err := TextWith(in, fuzzOptions)
		if err != nil {
			return
		}
		checkOutput(t, in, out)
		checkReadBack(t, in, out)
	})
}

// adfSeeds are ADF samples: the construct page and the ADF test cases'
// shapes.
func adfSeeds(tb testing.TB) []string {
	page, err := os.ReadFile("testdata/constructs.adf.json")
	if err != nil {
		tb.Fatal(err)
	}
	return []string{
		string(page), "", "{}", `{"type":"doc"}`, "[]", `{"type":"doc","content":[5,"x",null]}`,
		adfDoc(adfPara(adfText("a"), `{"type":"mention","attrs":{"id":"557058:abc","text":"@A"}}`, `{"type":"status","attrs":{"text":"DONE"}}`)),
		adfDoc(`{"type":"orderedList","attrs":{"order":1e300},"content":[{"type":"listItem","content":[{"type":"taskItem","attrs":{"state":"DONE"}}]}]}`),
		adfDoc(`{"type":"date","attrs":{"timestamp":"-9e18"}}`, `{"type":"date","attrs":{"timestamp":1e20}}`),
		adfDoc(`{"type":"table","content":[{"type":"tableRow","content":[{"type":"tableCell","content":[{"type":"codeBlock","content":[{"type":"text","text":"a\nb"}]}]}]}]}`),
		adfDoc(`{"type":"bodiedExtension","attrs":{"extensionKey":"warning","parameters":{"macroParams":{"TITLE":{"value":"t"},"title":{"value":"u"}}}},"content":[{"type":"bulletList","content":[{"type":"listItem"}]}]}`),
		adfDoc(`{"type":"extension","attrs":{"extensionKey":"include","parameters":{"macroParams":{"":{"value":"~ada:Notes"}}}}}`),
		// Deep nesting is TestADFText's: a 35 KB seed makes the fuzzer's
		// minimizing of each new input take most of a run.
		strings.Repeat(`{"type":"panel","attrs":{"panelType":"info"},"content":[`, 20) + adfText("deep") + strings.Repeat(`]}`, 20),
	}
}

// FuzzADFText checks that no input panics, that every output is clean
// text, that conversion is deterministic, and that only blank input or
// valid JSON is accepted.
func FuzzADFText(f *testing.F) {
	for _, s := range adfSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := ADFText(in, fuzzOptions)
		if err != nil {
			return
		}
		checkOutput(t, in, out)
		if again, _ := ADFText(in, fuzzOptions); again != out {
			t.Fatalf("two conversions of %q differ:\n%q\n%q", in, out, again)
		}
		if strings.Trim(in, " \t\r\n") != "" && !json.Valid([]byte(in)) {
			t.Fatalf("invalid JSON %q accepted", in)
		}
	})
}

// FuzzExcerptText checks that ExcerptText never panics, writes clean text,
// and writes no word the whole page's text lacks (as a word or part of
// one: an excerpt's edge may split a word the page joins).
func FuzzExcerptText(f *testing.F) {
	for _, s := range storageSeeds(f) {
		f.Add(s)
	}
	f.Add(`<p>a</p><ac:structured-macro ac:name="excerpt"><ac:rich-text-body><p>b</p></ac:rich-text-body></ac:structured-macro>`)
	f.Fuzz(func(t *testing.T, in string) {
		out, err := ExcerptText(in, fuzzOptions)
		if err != nil {
			return
		}
		checkOutput(t, in, out)
		all, err := TextWith(in, fuzzOptions)
		if err != nil {
			t.Fatalf("TextWith refused what ExcerptText took: %v", err)
		}
		for _, w := range strings.Fields(out) {
			if !strings.Contains(all, w) {
				t.Fatalf("excerpt word %q not in the page's text\n in: %q\nexcerpt: %q\nall: %q", w, in, out, all)
			}
		}
	})
}
