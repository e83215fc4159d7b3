package storagetext_test

import (
	"fmt"

	"github.com/conflux-dev/conflux/pkg/storagetext"
)

func ExampleText() {
	body := `<h2>Deploy</h2><p>See <ac:link><ri:page ri:content-title="Release process"/></ac:link>&nbsp;first.</p>` +
		`<ol><li>Build</li><li>Ship</li></ol>` +
		`<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">sh</ac:parameter>` +
		`<ac:plain-text-body><![CDATA[make deploy ENV=prod]]></ac:plain-text-body></ac:structured-macro>`
	text, err := storagetext.Text(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	// Output:
	// Deploy
	// See Release process first.
	// 1. Build
	// 2. Ship
	// make deploy ENV=prod
}

func ExampleTextWith() {
	names := map[string]string{"557058:abc": "Ada Lovelace"}
	o := storagetext.Options{
		UserName: func(accountID string) string { return names[accountID] },
		Include: func(spaceKey, title string) (string, bool) {
			if spaceKey == "ENG" && title == "Escalation" {
				return "Page the on-call lead.", true
			}
			return "", false
		},
	}
	body := `<p>Owner: <ac:link><ri:user ri:account-id="557058:abc"/></ac:link> please review ` +
		`<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">OPS-123</ac:parameter></ac:structured-macro>.</p>` +
		`<p>State: <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter>` +
		`<ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro></p>` +
		`<ac:structured-macro ac:name="warning"><ac:parameter ac:name="title">Careful</ac:parameter>` +
		`<ac:rich-text-body><p>Deploys freeze on Fridays.</p></ac:rich-text-body></ac:structured-macro>` +
		`<ac:structured-macro ac:name="include"><ac:parameter ac:name=""><ac:link>` +
		`<ri:page ri:space-key="ENG" ri:content-title="Escalation"/></ac:link></ac:parameter></ac:structured-macro>`
	text, err := storagetext.TextWith(body, o)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	// Output:
	// Owner: Ada Lovelace please review OPS-123.
	// State: DONE
	// Warning: Careful
	// Deploys freeze on Fridays.
	// Page the on-call lead.
}

func ExampleADFText() {
	names := map[string]string{"557058:abc": "Ada Lovelace"}
	o := storagetext.Options{UserName: func(accountID string) string { return names[accountID] }}
	adf := `{"version":1,"type":"doc","content":[
	  {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Release"}]},
	  {"type":"paragraph","content":[
	    {"type":"text","text":"Owner: "},
	    {"type":"mention","attrs":{"id":"557058:abc","text":"@Ada"}},
	    {"type":"text","text":", state "},
	    {"type":"status","attrs":{"text":"IN PROGRESS","color":"blue"}}]},
	  {"type":"panel","attrs":{"panelType":"note"},"content":[
	    {"type":"paragraph","content":[{"type":"text","text":"Tag before you ship."}]}]},
	  {"type":"extension","attrs":{"extensionType":"com.atlassian.confluence.macro.core","extensionKey":"jira",
	    "parameters":{"macroParams":{"jqlQuery":{"value":"fixVersion = 2.4"}}}}}]}`
	text, err := storagetext.ADFText(adf, o)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	// Output:
	// Release
	// Owner: Ada Lovelace, state IN PROGRESS
	// Note: Tag before you ship.
	// fixVersion = 2.4
}
