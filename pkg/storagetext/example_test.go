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
