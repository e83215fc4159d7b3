package storagetext

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// adfPanelLabels are the labels written in front of a panel's text, by
// panelType.
var adfPanelLabels = map[string]string{
	"info": "Info:", "note": "Note:", "warning": "Warning:", "tip": "Tip:",
	"error": "Error:", "success": "Success:",
}

// node renders n and its content.
func (c *adfConverter) node(n *adfNode, depth int) {
	if depth > maxDepth {
		c.textOnly(n)
		return
	}
	switch n.Type {
	case "text":
		c.w.text(n.Text)
	case "hardBreak":
		c.w.lineBreak()
	case "rule":
		c.w.block()
	case "doc", "paragraph", "heading", "blockquote", "layoutSection", "layoutColumn", "caption", "mediaSingle":
		c.block(n, depth)
	case "bulletList", "orderedList", "taskList", "decisionList":
		c.list(n, depth)
	case "table":
		c.table(n, depth)
	case "codeBlock":
		c.codeBlock(n)
	case "panel":
		c.panel(n, depth)
	case "expand", "nestedExpand":
		c.expand(n, depth)
	case "mention":
		c.w.text(c.o.userName(n.str("id")))
	case "status":
		c.inlineText(n.str("text"))
	case "inlineCard", "blockCard", "embedCard":
		c.card(n)
	case "date":
		c.date(n)
	case "extension", "bodiedExtension", "inlineExtension", "multiBodiedExtension":
		c.extension(n, depth)
	case "emoji", "media", "mediaInline", "placeholder":
	default:
		c.children(n, depth)
	}
}

// children renders the content of n.
func (c *adfConverter) children(n *adfNode, depth int) {
	for i := range n.Content {
		c.node(&n.Content[i], depth+1)
	}
}

// textOnly writes the text of n and its content, without layout, past the
// depth bound.
func (c *adfConverter) textOnly(n *adfNode) {
	c.w.text(n.Text)
	c.w.space = true
	for i := range n.Content {
		c.textOnly(&n.Content[i])
	}
}

// block renders n on lines of its own.
func (c *adfConverter) block(n *adfNode, depth int) {
	c.w.block()
	c.children(n, depth)
	c.w.block()
}

// inlineText writes s as a word of its own within the line (status).
func (c *adfConverter) inlineText(s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	c.w.wordBreak()
	c.w.text(s)
	c.w.wordBreak()
}

// list renders a bulleted, ordered, task or decision list, one item a line.
func (c *adfConverter) list(n *adfNode, depth int) {
	c.w.block()
	c.listDepth++
	ordinal := 1
	if f, ok := n.num("order"); ok && f >= 0 && f < math.MaxInt32 {
		ordinal = int(f)
	}
	for i := range n.Content {
		item := &n.Content[i]
		switch item.Type {
		case "listItem", "taskItem", "decisionItem":
		default:
			c.node(item, depth+1)
			continue
		}
		c.w.block()
		c.w.setMarker(c.listDepth, c.itemMarker(n.Type, item, &ordinal))
		c.children(item, depth+1)
		c.w.block()
		c.w.prefix = "" // an empty item leaves no marker behind
	}
	c.listDepth--
	c.w.block()
}

// itemMarker is "- ", "N. " in an ordered list, "- [ ] " or "- [x] " in a
// task list.
func (c *adfConverter) itemMarker(list string, item *adfNode, ordinal *int) string {
	switch {
	case list == "orderedList":
		m := strconv.Itoa(*ordinal) + ". "
		*ordinal++
		return m
	case item.Type == "taskItem" && strings.EqualFold(item.str("state"), "DONE"):
		return "- [x] "
	case item.Type == "taskItem":
		return "- [ ] "
	}
	return "- "
}

// table renders a table one row a line, cells separated by tabs.
func (c *adfConverter) table(n *adfNode, depth int) {
	c.w.block()
	for i := range n.Content {
		row := &n.Content[i]
		if row.Type != "tableRow" {
			c.node(row, depth+1)
			continue
		}
		c.w.block()
		c.w.tabs = 0 // the separators an empty last cell owed end with its row
		for j := range row.Content {
			if j > 0 {
				c.w.tabs++
			}
			c.w.soft++
			c.children(&row.Content[j], depth+2)
			c.w.soft--
		}
		c.w.block()
	}
	c.w.block()
}

// codeBlock writes the text of a code block verbatim, without the blank
// lines at its edges.
func (c *adfConverter) codeBlock(n *adfNode) {
	var b strings.Builder
	for i := range n.Content {
		b.WriteString(n.Content[i].Text)
	}
	code := strings.TrimLeftFunc(b.String(), func(r rune) bool { return r != '\t' && dropped(r) })
	code = strings.TrimRight(code, "\r\n")
	c.w.block()
	c.w.verbatim(code)
	c.w.block()
}

// panel renders a panel with its label in front of its text.
func (c *adfConverter) panel(n *adfNode, depth int) {
	c.w.block()
	label := adfPanelLabels[n.str("panelType")]
	if label != "" {
		c.w.lead = label
	}
	c.children(n, depth)
	if label != "" {
		c.w.lead = "" // a panel without text leaves no label
	}
	c.w.block()
}

// expand renders an expand's title on its own line, then its content.
func (c *adfConverter) expand(n *adfNode, depth int) {
	c.w.block()
	c.w.text(n.str("title"))
	c.block(n, depth)
}

// card writes the address of a smart link (inline, block or embed card).
func (c *adfConverter) card(n *adfNode) {
	url := n.str("url")
	if data, ok := n.Attrs["data"].(map[string]any); ok && url == "" {
		url, _ = data["url"].(string)
	}
	if n.Type == "inlineCard" {
		c.inlineText(url)
		return
	}
	c.w.block()
	c.w.text(url)
	c.w.block()
}

// date writes a date node's day (its timestamp is milliseconds since the
// epoch, in a string or a number) as YYYY-MM-DD, in UTC.
func (c *adfConverter) date(n *adfNode) {
	ms, ok := n.num("timestamp")
	if s := n.str("timestamp"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		ms, ok = f, err == nil
	}
	const bound = 1e15 // about 31,000 years: time.UnixMilli stays exact
	if !ok || math.IsNaN(ms) || ms > bound || ms < -bound {
		return
	}
	c.inlineText(time.UnixMilli(int64(ms)).UTC().Format(time.DateOnly))
}
