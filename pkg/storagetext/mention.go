package storagetext

import (
	"strings"

	"golang.org/x/net/html"
)

// openUser reads a mention, <ac:link><ri:user ri:account-id="…"/></ac:link>:
// the link's text becomes the user's display name from Options.UserName,
// or nothing. The account id itself is never text.
func (c *converter) openUser(z *html.Tokenizer, hasAttr bool) {
	l := c.innermost(link)
	if l == nil {
		return
	}
	name := strings.TrimSpace(c.o.userName(attr(z, hasAttr, "ri:account-id")))
	l.fallback, l.weak = name, false
}
