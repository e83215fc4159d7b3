package storagetext

import (
	"errors"
	"strings"
	"testing"
)

// adfDoc wraps content nodes (JSON) in a document.
func adfDoc(content ...string) string {
	return `{"version":1,"type":"doc","content":[` + strings.Join(content, ",") + `]}`
}

// adfPara is a paragraph of the given inline nodes.
func adfPara(inline ...string) string {
	return `{"type":"paragraph","content":[` + strings.Join(inline, ",") + `]}`
}

// adfText is a text node.
func adfText(s string) string { return `{"type":"text","text":"` + s + `"}` }

func TestADFText(t *testing.T) {
	cases := []textCase{
		{"empty input", "", ""},
		{"empty document", `{"version":1,"type":"doc","content":[]}`, ""},
		{"paragraphs and headings",
			adfDoc(`{"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"Deploy"}]}`, adfPara(adfText("One")), adfPara(adfText("Two"))),
			"Deploy\nOne\nTwo"},
		{"marks dropped, text kept",
			adfDoc(adfPara(`{"type":"text","text":"see ","marks":[{"type":"strong"}]}`, `{"type":"text","text":"the docs","marks":[{"type":"link","attrs":{"href":"https://x.example"}}]}`)),
			"see the docs"},
		{"hard break and rule", adfDoc(adfPara(adfText("a"), `{"type":"hardBreak"}`, adfText("b")), `{"type":"rule"}`, adfPara(adfText("c"))), "a\nb\nc"},
		{"bullet list nested",
			adfDoc(`{"type":"bulletList","content":[{"type":"listItem","content":[` + adfPara(adfText("a")) + `,{"type":"bulletList","content":[{"type":"listItem","content":[` + adfPara(adfText("b")) + `]}]}]},{"type":"listItem","content":[` + adfPara(adfText("c")) + `]}]}`),
			"- a\n  - b\n- c"},
		{"ordered list from its order",
			adfDoc(`{"type":"orderedList","attrs":{"order":3},"content":[{"type":"listItem","content":[` + adfPara(adfText("x")) + `]},{"type":"listItem","content":[` + adfPara(adfText("y")) + `]}]}`),
			"3. x\n4. y"},
		{"task and decision lists",
			adfDoc(`{"type":"taskList","attrs":{"localId":"t"},"content":[{"type":"taskItem","attrs":{"localId":"1","state":"DONE"},"content":[`+adfText("shipped")+`]},{"type":"taskItem","attrs":{"localId":"2","state":"TODO"},"content":[`+adfText("announce")+`]}]}`,
				`{"type":"decisionList","attrs":{"localId":"d"},"content":[{"type":"decisionItem","attrs":{"localId":"3","state":"DECIDED"},"content":[`+adfText("use Go")+`]}]}`),
			"- [x] shipped\n- [ ] announce\n- use Go"},
		{"table rows and cells",
			adfDoc(`{"type":"table","attrs":{"isNumberColumnEnabled":false,"layout":"default"},"content":[` +
				`{"type":"tableRow","content":[{"type":"tableHeader","attrs":{},"content":[` + adfPara(adfText("Key")) + `]},{"type":"tableHeader","attrs":{},"content":[` + adfPara(adfText("Value")) + `]}]},` +
				`{"type":"tableRow","content":[{"type":"tableCell","attrs":{},"content":[` + adfPara(adfText("Owner")) + `]},{"type":"tableCell","attrs":{},"content":[` + adfPara(adfText("a")) + `,` + adfPara(adfText("b")) + `]}]}]}`),
			"Key\tValue\nOwner\ta b"},
		{"empty last cell leaves no tab on the next row",
			adfDoc(`{"type":"table","content":[{"type":"tableRow","content":[{"type":"tableHeader","content":[` + adfPara(adfText("Reviewer")) + `]},{"type":"tableCell","content":[]}]},` +
				`{"type":"tableRow","content":[{"type":"tableHeader","content":[` + adfPara(adfText("Team")) + `]},{"type":"tableCell","content":[` + adfPara(adfText("Ledger")) + `]}]}]}`),
			"Reviewer\nTeam\tLedger"},
		{"code block verbatim",
			adfDoc(adfPara(adfText("run:")), `{"type":"codeBlock","attrs":{"language":"bash"},"content":[{"type":"text","text":"\n\nmake deploy \\\n  ENV=prod\n\n"}]}`, adfPara(adfText("done"))),
			"run:\nmake deploy \\\n  ENV=prod\ndone"},
		{"info panel labelled",
			adfDoc(`{"type":"panel","attrs":{"panelType":"info"},"content":[` + adfPara(adfText("Read first.")) + `]}`), "Info: Read first."},
		{"warning, note, tip, error, success panels",
			adfDoc(`{"type":"panel","attrs":{"panelType":"warning"},"content":[`+adfPara(adfText("w"))+`]}`,
				`{"type":"panel","attrs":{"panelType":"note"},"content":[`+adfPara(adfText("n"))+`]}`,
				`{"type":"panel","attrs":{"panelType":"tip"},"content":[`+adfPara(adfText("t"))+`]}`,
				`{"type":"panel","attrs":{"panelType":"error"},"content":[`+adfPara(adfText("e"))+`]}`,
				`{"type":"panel","attrs":{"panelType":"success"},"content":[`+adfPara(adfText("s"))+`]}`,
				`{"type":"panel","attrs":{"panelType":"custom","panelIcon":":star:"},"content":[`+adfPara(adfText("c"))+`]}`),
			"Warning: w\nNote: n\nTip: t\nError: e\nSuccess: s\nc"},
		{"empty panel leaves no label", adfDoc(`{"type":"panel","attrs":{"panelType":"note"},"content":[]}`, adfPara(adfText("x"))), "x"},
		{"mention named", adfDoc(adfPara(adfText("Owner: "), `{"type":"mention","attrs":{"id":"557058:abc","text":"@Ada L","accessLevel":""}}`, adfText(" please review."))),
			"Owner: Ada Lovelace please review."},
		{"unknown mention left out, never the id or stored text",
			adfDoc(adfPara(adfText("Owner: "), `{"type":"mention","attrs":{"id":"557058:zzz","text":"@Someone"}}`, adfText(" please review."))),
			"Owner: please review."},
		{"status", adfDoc(adfPara(adfText("State:"), `{"type":"status","attrs":{"text":"DONE","color":"green","localId":"s1","style":""}}`, adfText("."))), "State:DONE."},
		{"status between words stays a word", adfDoc(adfPara(adfText("is"), `{"type":"status","attrs":{"text":"DONE"}}`, adfText("now"))), "is DONE now"},
		{"inline card is its address",
			adfDoc(adfPara(adfText("see "), `{"type":"inlineCard","attrs":{"url":"https://acme.atlassian.net/browse/OPS-123"}}`)), "see https://acme.atlassian.net/browse/OPS-123"},
		{"block card with data", adfDoc(`{"type":"blockCard","attrs":{"data":{"@type":"Document","url":"https://x.example/d"}}}`), "https://x.example/d"},
		{"expand title then content",
			adfDoc(`{"type":"expand","attrs":{"title":"Rollback steps"},"content":[` + adfPara(adfText("Revert.")) + `]}`), "Rollback steps\nRevert."},
		{"date as a day", adfDoc(adfPara(adfText("due"), `{"type":"date","attrs":{"timestamp":"1714521600000"}}`)), "due 2024-05-01"},
		{"emoji, media, placeholder dropped, caption kept",
			adfDoc(adfPara(adfText("ok"), `{"type":"emoji","attrs":{"shortName":":smile:","text":"😄"}}`, `{"type":"placeholder","attrs":{"text":"Type here"}}`),
				`{"type":"mediaSingle","attrs":{"layout":"center"},"content":[{"type":"media","attrs":{"id":"f1","type":"file","collection":"c"}},{"type":"caption","content":[`+adfText("Flow")+`]}]}`),
			"ok\nFlow"},
		{"jira macro extension keeps the key",
			adfDoc(adfPara(adfText("Fixed in "), `{"type":"inlineExtension","attrs":{"extensionType":"com.atlassian.confluence.macro.core","extensionKey":"jira","parameters":{"macroParams":{"key":{"value":"OPS-123"},"server":{"value":"System JIRA"}},"macroMetadata":{"title":"Jira"}}}}`, adfText(" yesterday."))),
			"Fixed in OPS-123 yesterday."},
		{"jira table extension keeps the JQL",
			adfDoc(`{"type":"extension","attrs":{"extensionType":"com.atlassian.confluence.macro.core","extensionKey":"jira","parameters":{"macroParams":{"jqlQuery":{"value":"project = OPS"},"columns":{"value":"key,summary"}}}}}`),
			"project = OPS"},
		{"toc extension dropped",
			adfDoc(adfPara(adfText("a")), `{"type":"extension","attrs":{"extensionType":"com.atlassian.confluence.macro.core","extensionKey":"toc","parameters":{"macroParams":{"maxLevel":{"value":"2"}}}}}`, adfPara(adfText("b"))),
			"a\nb"},
		{"details bodied extension keeps its table",
			adfDoc(`{"type":"bodiedExtension","attrs":{"extensionType":"com.atlassian.confluence.macro.core","extensionKey":"details","parameters":{"macroParams":{"id":{"value":"r"}}}},"content":[{"type":"table","content":[{"type":"tableRow","content":[{"type":"tableHeader","content":[` + adfPara(adfText("Owner")) + `]},{"type":"tableCell","content":[` + adfPara(`{"type":"mention","attrs":{"id":"5b10"}}`) + `]}]}]}]}`),
			"Owner\tGrace Hopper"},
		{"info bodied extension labelled with title",
			adfDoc(`{"type":"bodiedExtension","attrs":{"extensionKey":"info","parameters":{"macroParams":{"title":{"value":"Heads up"}}}},"content":[` + adfPara(adfText("Body")) + `]}`),
			"Info: Heads up\nBody"},
		{"include extension asks the caller",
			adfDoc(adfPara(adfText("before")), `{"type":"extension","attrs":{"extensionKey":"include","parameters":{"macroParams":{"":{"value":"ENG:Shared steps"}}}}}`, adfPara(adfText("after"))),
			"before\nStep one\nStep two\nafter"},
		{"excerpt-include not supplied yields nothing",
			adfDoc(`{"type":"extension","attrs":{"extensionKey":"excerpt-include","parameters":{"macroParams":{"":{"value":"Secret"}}}}}`), ""},
		{"layout columns are blocks",
			adfDoc(`{"type":"layoutSection","content":[{"type":"layoutColumn","attrs":{"width":50},"content":[` + adfPara(adfText("left")) + `]},{"type":"layoutColumn","attrs":{"width":50},"content":[` + adfPara(adfText("right")) + `]}]}`),
			"left\nright"},
		{"unknown node keeps its text", adfDoc(`{"type":"futureNode","content":[` + adfPara(adfText("kept")) + `]}`), "kept"},
		{"attributes of the wrong type ignored",
			adfDoc(`{"type":"orderedList","attrs":{"order":"x"},"content":[{"type":"listItem","content":[`+adfPara(adfText("a"))+`]}]}`, `{"type":"panel","attrs":[1],"content":[`+adfPara(adfText("b"))+`]}`, `{"type":"status","attrs":{"text":7}}`),
			"1. a\nb"},
		{"content of the wrong type skipped", adfDoc(`{"type":"paragraph","content":"oops"}`, adfPara(adfText("c")), `5`), "c"},
		{"control characters and invalid escapes", adfDoc(adfPara(adfText(`a\u0000b\u001bc \ud800`))), "abc \uFFFD"},
		{"deep nesting keeps text", strings.Repeat(`{"type":"blockquote","content":[`, 2000) + adfText("deep") + strings.Repeat(`]}`, 2000), "deep"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ADFText(tc.in, testOptions)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("ADFText(%s)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			checkOutput(t, tc.in, got)
		})
	}
}

func TestADFTextRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"not JSON":          "<p>storage</p>",
		"array":             `[{"type":"doc"}]`,
		"string":            `"doc"`,
		"truncated":         `{"type":"doc","content":[`,
		"too deep for json": strings.Repeat(`{"content":[`, 6000) + strings.Repeat(`]}`, 6000),
	} {
		if _, err := ADFText(in, Options{}); !errors.Is(err, ErrNotADF) {
			t.Errorf("%s: err = %v, want ErrNotADF", name, err)
		}
	}
	big := `{"type":"doc","content":[],"x":"` + strings.Repeat("a", MaxADFBytes) + `"}`
	if _, err := ADFText(big, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: err = %v", err)
	}
}
