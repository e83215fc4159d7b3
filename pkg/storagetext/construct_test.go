package storagetext

import (
	"strings"
	"testing"
)

// testOptions knows one user and one page of each space.
var testOptions = Options{
	UserName: func(id string) string {
		return map[string]string{"557058:abc": "Ada Lovelace", "5b10": " Grace Hopper "}[id]
	},
	Include: func(space, title string) (string, bool) {
		switch {
		case space == "ENG" && title == "Shared steps":
			return "Step one\nStep two", true
		case space == "" && title == "Glossary":
			return "SLO: service level objective", true
		}
		return "", false
	},
}

type textCase struct {
	name, in, want string
}

// runTextCases converts each case with o and checks the output.
func runTextCases(t *testing.T, o Options, cases []textCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := TextWith(tc.in, o)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("TextWith(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			checkOutput(t, tc.in, got)
		})
	}
}

func TestMentions(t *testing.T) {
	runTextCases(t, testOptions, []textCase{
		{"known user becomes the display name",
			`<p>Owner: <ac:link><ri:user ri:account-id="557058:abc"/></ac:link> please review.</p>`, "Owner: Ada Lovelace please review."},
		{"name trimmed", `<p>ask <ac:link><ri:user ri:account-id="5b10"/></ac:link>.</p>`, "ask Grace Hopper."},
		{"unknown user left out, never the id",
			`<p>Owner: <ac:link><ri:user ri:account-id="557058:zzz"/></ac:link> please review.</p>`, "Owner: please review."},
		{"user without account id (server userkey) left out",
			`<p>by <ac:link><ri:user ri:userkey="8a7f808a"/></ac:link></p>`, "by"},
		{"link body wins over the name",
			`<p><ac:link><ri:user ri:account-id="557058:abc"/><ac:plain-text-link-body><![CDATA[the author]]></ac:plain-text-link-body></ac:link></p>`, "the author"},
		{"mention in a table cell",
			`<table><tr><th>Owner</th><td><p><ac:link><ri:user ri:account-id="557058:abc"/></ac:link></p></td></tr></table>`, "Owner\tAda Lovelace"},
		{"mention in a task",
			`<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>Review <ac:link><ri:user ri:account-id="5b10"/></ac:link></ac:task-body></ac:task></ac:task-list>`, "- [ ] Review Grace Hopper"},
		{"bare ri:user outside a link is nothing", `<p>a<ri:user ri:account-id="557058:abc"/>b</p>`, "ab"},
	})
	got, err := Text(`<p>Owner: <ac:link><ri:user ri:account-id="557058:abc"/></ac:link> please review.</p>`)
	if err != nil || got != "Owner: please review." {
		t.Fatalf("Text without options: %q, %v", got, err)
	}
}

func TestJiraMacro(t *testing.T) {
	runTextCases(t, Options{}, []textCase{
		{"issue key inline",
			`<p>Fixed in <ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="d1"><ac:parameter ac:name="server">System JIRA</ac:parameter><ac:parameter ac:name="serverId">4f7b-9c1e</ac:parameter><ac:parameter ac:name="key">OPS-123</ac:parameter></ac:structured-macro> yesterday.</p>`,
			"Fixed in OPS-123 yesterday."},
		{"issue key between words stays a word",
			`<p>see<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">OPS-1</ac:parameter></ac:structured-macro>now</p>`, "see OPS-1 now"},
		{"no space before punctuation",
			`<p>(<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">OPS-1</ac:parameter></ac:structured-macro>)</p>`, "(OPS-1)"},
		{"JQL of a Jira table",
			`<ac:structured-macro ac:name="jira"><ac:parameter ac:name="server">System JIRA</ac:parameter><ac:parameter ac:name="columns">key,summary,status</ac:parameter><ac:parameter ac:name="maximumIssues">20</ac:parameter><ac:parameter ac:name="jqlQuery">project = OPS AND status = &quot;In Progress&quot;</ac:parameter><ac:parameter ac:name="serverId">4f7b</ac:parameter></ac:structured-macro>`,
			`project = OPS AND status = "In Progress"`},
		{"old ac:macro format", `<p>see <ac:macro ac:name="jira"><ac:parameter ac:name="key">PAY-9</ac:parameter></ac:macro></p>`, "see PAY-9"},
		{"parameter name compared without case", `<ac:structured-macro ac:name="JIRA"><ac:parameter ac:name="KEY">PAY-2</ac:parameter></ac:structured-macro>`, "PAY-2"},
	})
}

func TestStatusMacro(t *testing.T) {
	runTextCases(t, Options{}, []textCase{
		{"title inline",
			`<p>State: <ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro> since May.</p>`,
			"State: DONE since May."},
		{"subtle lozenge without title leaves nothing",
			`<p>a <ac:structured-macro ac:name="status"><ac:parameter ac:name="subtle">true</ac:parameter></ac:structured-macro> b</p>`, "a b"},
		{"status in a table cell",
			`<table><tr><td>Build</td><td><ac:structured-macro ac:name="status"><ac:parameter ac:name="title">FAILED</ac:parameter><ac:parameter ac:name="colour">Red</ac:parameter></ac:structured-macro></td></tr></table>`,
			"Build\tFAILED"},
	})
}

func TestExpandMacro(t *testing.T) {
	runTextCases(t, Options{}, []textCase{
		{"title then body",
			`<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Rollback steps</ac:parameter><ac:rich-text-body><p>Revert the deploy.</p></ac:rich-text-body></ac:structured-macro>`,
			"Rollback steps\nRevert the deploy."},
		{"no title", `<ac:structured-macro ac:name="expand"><ac:rich-text-body><p>x</p></ac:rich-text-body></ac:structured-macro>`, "x"},
		{"expand in a list item",
			`<ul><li><ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">More</ac:parameter><ac:rich-text-body><p>y</p></ac:rich-text-body></ac:structured-macro></li></ul>`, "- More\ny"},
	})
}

func TestPanelMacros(t *testing.T) {
	body := `<ac:rich-text-body><p>Body text.</p></ac:rich-text-body>`
	runTextCases(t, Options{}, []textCase{
		{"info with title", `<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">Heads up</ac:parameter>` + body + `</ac:structured-macro>`, "Info: Heads up\nBody text."},
		{"info without title", `<ac:structured-macro ac:name="info">` + body + `</ac:structured-macro>`, "Info: Body text."},
		{"note", `<ac:structured-macro ac:name="note"><ac:parameter ac:name="icon">true</ac:parameter>` + body + `</ac:structured-macro>`, "Note: Body text."},
		{"warning", `<ac:structured-macro ac:name="warning">` + body + `</ac:structured-macro>`, "Warning: Body text."},
		{"tip", `<ac:structured-macro ac:name="tip"><ac:parameter ac:name="title">Shortcut</ac:parameter>` + body + `</ac:structured-macro>`, "Tip: Shortcut\nBody text."},
		{"panel keeps its title, no label",
			`<ac:structured-macro ac:name="panel"><ac:parameter ac:name="bgColor">#DEEBFF</ac:parameter><ac:parameter ac:name="title">Contacts</ac:parameter><ac:parameter ac:name="borderStyle">solid</ac:parameter>` + body + `</ac:structured-macro>`,
			"Contacts\nBody text."},
		{"empty panel leaves no label", `<p>a</p><ac:structured-macro ac:name="info"><ac:rich-text-body><p></p></ac:rich-text-body></ac:structured-macro><p>b</p>`, "a\nb"},
		{"label before a list", `<ac:structured-macro ac:name="note"><ac:rich-text-body><ul><li>x</li></ul></ac:rich-text-body></ac:structured-macro>`, "Note:\n- x"},
		{"panel in a list item", `<ol><li><ac:structured-macro ac:name="warning">` + body + `</ac:structured-macro></li></ol>`, "1. Warning: Body text."},
		{"panel in a table cell", `<table><tr><td>a</td><td><ac:structured-macro ac:name="tip">` + body + `</ac:structured-macro></td></tr></table>`, "a\tTip: Body text."},
		{"code in a panel", `<ac:structured-macro ac:name="info"><ac:rich-text-body><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[make]]></ac:plain-text-body></ac:structured-macro></ac:rich-text-body></ac:structured-macro>`, "Info: make"},
	})
}

func TestPagePropertiesMacro(t *testing.T) {
	runTextCases(t, testOptions, []textCase{
		{"keys and values paired on a line",
			`<ac:structured-macro ac:name="details" ac:schema-version="1"><ac:parameter ac:name="id">release</ac:parameter><ac:rich-text-body><table data-layout="default"><colgroup><col/><col/></colgroup><tbody>` +
				`<tr><th><p><strong>Owner</strong></p></th><td><p><ac:link><ri:user ri:account-id="557058:abc"/></ac:link></p></td></tr>` +
				`<tr><th><p>Status</p></th><td><p><ac:structured-macro ac:name="status"><ac:parameter ac:name="title">IN PROGRESS</ac:parameter></ac:structured-macro></p></td></tr>` +
				`<tr><th><p>Epic</p></th><td><p><ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">OPS-7</ac:parameter></ac:structured-macro></p></td></tr>` +
				`<tr><th><p>Due</p></th><td><p><time datetime="2024-06-30"/></p></td></tr>` +
				`<tr><th><p>Goals</p></th><td><ul><li>fast</li><li>safe</li></ul><p>second line</p></td></tr>` +
				`<tr><th><p>Command</p></th><td><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[make
deploy]]></ac:plain-text-body></ac:structured-macro></td></tr>` +
				`</tbody></table></ac:rich-text-body></ac:structured-macro>`,
			"Owner\tAda Lovelace\nStatus\tIN PROGRESS\nEpic\tOPS-7\nDue\t2024-06-30\nGoals\tfast safe second line\nCommand\tmake deploy"},
		{"empty value leaves no tab on the next row",
			`<ac:structured-macro ac:name="details"><ac:rich-text-body><table><tr><th>Reviewer</th><td><p><ac:link><ri:user ri:account-id="557058:nobody"/></ac:link></p></td></tr><tr><th>Team</th><td>Ledger</td></tr></table></ac:rich-text-body></ac:structured-macro>`,
			"Reviewer\nTeam\tLedger"},
		{"hidden properties still text",
			`<ac:structured-macro ac:name="details"><ac:parameter ac:name="hidden">true</ac:parameter><ac:rich-text-body><table><tr><th>Team</th><td>Ledger</td></tr></table></ac:rich-text-body></ac:structured-macro>`,
			"Team\tLedger"},
	})
}

func TestPresentationMacros(t *testing.T) {
	var cases []textCase
	for _, name := range []string{"toc", "children", "pagetree", "recently-updated", "contentbylabel", "anchor",
		"space-details", "gallery", "attachments"} {
		cases = append(cases, textCase{name + " dropped",
			`<p>a</p><ac:structured-macro ac:name="` + name + `" ac:schema-version="1"><ac:parameter ac:name="">x1</ac:parameter><ac:parameter ac:name="labels">x2</ac:parameter><ac:parameter ac:name="spaces"><ri:space ri:space-key="X3"/></ac:parameter><ac:parameter ac:name="page"><ac:link><ri:page ri:content-title="x4"/></ac:link></ac:parameter></ac:structured-macro><p>b</p>`,
			"a\nb"})
	}
	cases = append(cases,
		textCase{"self-closed toc", `<p>a</p><ac:structured-macro ac:name="toc"/><p>b</p>`, "a\nb"},
		textCase{"column and section keep their bodies",
			`<ac:structured-macro ac:name="section"><ac:parameter ac:name="border">true</ac:parameter><ac:rich-text-body><ac:structured-macro ac:name="column"><ac:parameter ac:name="width">50%</ac:parameter><ac:rich-text-body><p>left</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="column"><ac:rich-text-body><p>right</p></ac:rich-text-body></ac:structured-macro></ac:rich-text-body></ac:structured-macro>`,
			"left\nright"},
		textCase{"unknown macro keeps its body, drops its parameters",
			`<ac:structured-macro ac:name="acme-widget"><ac:parameter ac:name="mode">x9</ac:parameter><ac:rich-text-body><p>inside</p></ac:rich-text-body></ac:structured-macro>`, "inside"},
		textCase{"excerpt keeps its body",
			`<ac:structured-macro ac:name="excerpt"><ac:parameter ac:name="hidden">false</ac:parameter><ac:parameter ac:name="atlassian-macro-output-type">BLOCK</ac:parameter><ac:rich-text-body><p>The summary.</p></ac:rich-text-body></ac:structured-macro>`,
			"The summary."},
	)
	runTextCases(t, Options{}, cases)
}

func TestLinkTitles(t *testing.T) {
	runTextCases(t, Options{}, []textCase{
		{"anchor link text", `<p><ac:link ac:anchor="install"><ac:plain-text-link-body><![CDATA[Installing]]></ac:plain-text-link-body></ac:link></p>`, "Installing"},
		{"anchor on another page shows the page", `<p><ac:link ac:anchor="faq"><ri:page ri:content-title="Help"/></ac:link></p>`, "Help"},
		{"anchor without body", `<p>see <ac:link ac:anchor="faq"/></p>`, "see faq"},
		{"page title", `<p><ac:link><ri:page ri:space-key="ENG" ri:content-title="Release process"/></ac:link></p>`, "Release process"},
		{"attachment file name", `<p><ac:link><ri:attachment ri:filename="runbook.pdf"/></ac:link></p>`, "runbook.pdf"},
		{"view-file names its attachment",
			`<ac:structured-macro ac:name="view-file"><ac:parameter ac:name="name"><ri:attachment ri:filename="plan.xlsx"/></ac:parameter><ac:parameter ac:name="height">250</ac:parameter></ac:structured-macro>`, "plan.xlsx"},
		{"image caption kept, file name not", `<ac:image><ri:attachment ri:filename="a.png"/><ac:caption><p>Flow</p></ac:caption></ac:image>`, "Flow"},
	})
}

func TestIncludeMacros(t *testing.T) {
	page := func(name, target string) string {
		return `<p>before</p><ac:structured-macro ac:name="` + name + `" ac:schema-version="1"><ac:parameter ac:name="">` + target +
			`</ac:parameter><ac:parameter ac:name="nopanel">true</ac:parameter></ac:structured-macro><p>after</p>`
	}
	shared := `<ac:link><ri:page ri:space-key="ENG" ri:content-title="Shared steps"/></ac:link>`
	glossary := `<ac:link><ri:page ri:content-title="Glossary"/></ac:link>`
	runTextCases(t, testOptions, []textCase{
		{"include in another space", page("include", shared), "before\nStep one\nStep two\nafter"},
		{"excerpt-include in the same space", page("excerpt-include", glossary), "before\nSLO: service level objective\nafter"},
		{"page not supplied yields nothing", page("include", `<ac:link><ri:page ri:content-title="Secret"/></ac:link>`), "before\nafter"},
		{"old format default parameter", `<ac:macro ac:name="include"><ac:default-parameter>ENG:Shared steps</ac:default-parameter></ac:macro>`, "Step one\nStep two"},
		{"text parameter without space", `<ac:structured-macro ac:name="include"><ac:parameter ac:name="">Glossary</ac:parameter></ac:structured-macro>`, "SLO: service level objective"},
		{"include inside a table cell stays on the row", `<table><tr><td>x</td><td>` + page("include", shared) + `</td></tr></table>`, "x\tbefore Step one Step two after"},
	})
	runTextCases(t, Options{}, []textCase{
		{"without Include nothing, not even the title", page("include", shared), "before\nafter"},
	})
	var asked []string
	o := Options{Include: func(space, title string) (string, bool) {
		asked = append(asked, space+"|"+title)
		return "", false
	}}
	if _, err := TextWith(page("include", shared)+page("excerpt-include", glossary), o); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(asked, ","); got != "ENG|Shared steps,|Glossary" {
		t.Fatalf("Include asked for %s", got)
	}
}

func TestParsePageRef(t *testing.T) {
	for in, want := range map[string]pageRef{
		"ENG:Shared steps":     {"ENG", "Shared steps"},
		" Glossary ":           {"", "Glossary"},
		"Note: a title":        {"", "Note: a title"},
		"~ada:Notes":           {"~ada", "Notes"},
		"ENG:":                 {"", "ENG:"},
		"OPS2:Runbook: part 2": {"OPS2", "Runbook: part 2"},
	} {
		if got := parsePageRef(in); got != want {
			t.Errorf("parsePageRef(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestExcerptIncludeAsksExcerpt(t *testing.T) {
	var asked []string
	o := Options{
		Include: func(space, title string) (string, bool) {
			asked = append(asked, "include "+title)
			return "whole page", true
		},
		Excerpt: func(space, title string) (string, bool) {
			asked = append(asked, "excerpt "+title)
			return "the excerpt", true
		},
	}
	in := `<ac:structured-macro ac:name="excerpt-include"><ac:parameter ac:name=""><ac:link><ri:page ri:content-title="Glossary"/></ac:link></ac:parameter></ac:structured-macro>` +
		`<ac:structured-macro ac:name="include"><ac:parameter ac:name=""><ac:link><ri:page ri:content-title="Runbook"/></ac:link></ac:parameter></ac:structured-macro>`
	got, err := TextWith(in, o)
	if err != nil {
		t.Fatal(err)
	}
	if got != "the excerpt\nwhole page" || strings.Join(asked, ",") != "excerpt Glossary,include Runbook" {
		t.Fatalf("got %q, asked %v", got, asked)
	}
	adf := adfDoc(`{"type":"extension","attrs":{"extensionKey":"excerpt-include","parameters":{"macroParams":{"":{"value":"ENG:Glossary"}}}}}`)
	if got, err := ADFText(adf, o); err != nil || got != "the excerpt" {
		t.Fatalf("ADF excerpt-include: %q %v", got, err)
	}
}

func TestExcerptText(t *testing.T) {
	excerpt := func(body string) string {
		return `<ac:structured-macro ac:name="excerpt" ac:schema-version="1"><ac:parameter ac:name="hidden">true</ac:parameter><ac:rich-text-body>` + body + `</ac:rich-text-body></ac:structured-macro>`
	}
	for _, tc := range []textCase{
		{"no excerpt", `<p>only the page</p>`, ""},
		{"the excerpt's body only", `<p>intro</p>` + excerpt(`<p>SLO: service level objective</p>`) + `<p>rest</p>`, "SLO: service level objective"},
		{"two excerpts", excerpt(`<p>a</p>`) + `<p>x</p>` + excerpt(`<p>b</p>`), "a\nb"},
		{"mention and status inside", excerpt(`<p>owner <ac:link><ri:user ri:account-id="5b10"/></ac:link> <ac:structured-macro ac:name="status"><ac:parameter ac:name="title">LIVE</ac:parameter></ac:structured-macro></p>`), "owner Grace Hopper LIVE"},
		{"unclosed excerpt ends with the page", `<p>x</p><ac:structured-macro ac:name="excerpt"><ac:rich-text-body><p>tail`, "tail"},
		{"excerpt named in upper case", `<ac:structured-macro ac:name="Excerpt"><ac:rich-text-body><p>k</p></ac:rich-text-body></ac:structured-macro>`, "k"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExcerptText(tc.in, testOptions)
			if err != nil || got != tc.want {
				t.Fatalf("ExcerptText(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			checkOutput(t, tc.in, got)
		})
	}
}

func TestMentionIDs(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"none", `<p>x</p>`, nil},
		{"in order, each once", `<ac:link><ri:user ri:account-id="b"/></ac:link><ac:link><ri:user ri:account-id='a'/></ac:link><ac:link><ri:user ri:account-id="b"/></ac:link>`, []string{"b", "a"}},
		{"unquoted and unterminated skipped", `ri:account-id=x ri:account-id="c`, nil},
		{"empty id skipped", `<ri:user ri:account-id=""/>`, nil},
	} {
		if got := MentionIDs(tc.in); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: MentionIDs = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestADFMentionIDs(t *testing.T) {
	in := adfDoc(adfPara(`{"type":"mention","attrs":{"id":"557058:abc","text":"@Ada"}}`, adfText(" and "), `{"type":"mention","attrs":{"id":"5b10"}}`, `{"type":"mention","attrs":{"id":"557058:abc"}}`))
	if got := strings.Join(ADFMentionIDs(in), ","); got != "557058:abc,5b10" {
		t.Fatalf("ADFMentionIDs = %s", got)
	}
	if got := ADFMentionIDs(`<p>mention</p>`); got != nil {
		t.Fatalf("storage read as ADF: %v", got)
	}
}
