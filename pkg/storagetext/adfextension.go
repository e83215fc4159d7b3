package storagetext

import (
	"maps"
	"slices"
	"strings"
)

// extension renders an ADF extension node, which is how ADF holds a
// Confluence macro: attrs.extensionKey is the macro's name and
// attrs.parameters.macroParams its parameters, each {"value": …}. The
// macro's kept parameters, label and include follow macroSpecs as in the
// storage format; a bodied extension's content is its body.
func (c *adfConverter) extension(n *adfNode, depth int) {
	spec := lookupMacro(n.str("extensionKey"))
	if spec.isInline() {
		c.w.wordBreak()
	} else {
		c.w.block()
	}
	if spec != nil && spec.label != "" {
		c.w.lead = spec.label
	}
	if spec != nil {
		c.extensionParams(n, spec)
	}
	c.children(n, depth)
	if spec != nil && spec.label != "" {
		c.w.lead = ""
	}
	if spec.isInline() {
		c.w.wordBreak()
	} else {
		c.w.block()
	}
}

// extensionParams writes the kept parameters of a macro, in the order of
// its spec, or the included page's text.
func (c *adfConverter) extensionParams(n *adfNode, spec *macroSpec) {
	params, _ := n.Attrs["parameters"].(map[string]any)
	macroParams, _ := params["macroParams"].(map[string]any)
	for _, name := range spec.params {
		v := macroParam(macroParams, name)
		switch {
		case v == "":
		case spec.include:
			ref := parsePageRef(v)
			if text, ok := c.o.include(ref.space, ref.title, spec.excerpt); ok {
				writeLines(&c.w, text)
			}
		case spec.inline:
			c.inlineText(v)
		default:
			c.w.block()
			c.w.text(v)
			c.w.block()
		}
	}
}

// macroParam returns the value of the macro parameter named name (compared
// without case), or "".
func macroParam(macroParams map[string]any, name string) string {
	p, ok := macroParams[name]
	if !ok {
		for _, k := range slices.Sorted(maps.Keys(macroParams)) { // sorted: the same choice every time
			if strings.EqualFold(k, name) {
				p = macroParams[k]
				break
			}
		}
	}
	m, _ := p.(map[string]any)
	v, _ := m["value"].(string)
	return v
}
