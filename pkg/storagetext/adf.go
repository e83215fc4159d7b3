package storagetext

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrNotADF is returned for input that is not an ADF document: not JSON, or
// JSON that is not an object, or nested deeper than encoding/json allows.
var ErrNotADF = errors.New("not an ADF document")

// ErrTooLarge is returned for an ADF document larger than MaxADFBytes.
var ErrTooLarge = errors.New("too large")

// MaxADFBytes bounds the ADF documents ADFText decodes, so that one hostile
// body cannot take a converter's memory.
const MaxADFBytes = 32 << 20

// adfNode is a node of an Atlassian Document Format (ADF) document.
// Attributes are decoded loosely: a value of an unexpected type is absent.
type adfNode struct {
	Type    string         `json:"type"`
	Text    string         `json:"text"`
	Attrs   map[string]any `json:"attrs"`
	Content []adfNode      `json:"content"`
}

// ADFText converts an atlas_doc_format body (ADF JSON, as the API returns
// it in body.atlas_doc_format.value) to plain text with the rules of
// TextWith: the same layout of blocks, lists, tables and code, the same
// macro parameters kept (ADF extension nodes are macros), mentions named by
// o.UserName and includes supplied by o.Include. A mention's own
// attrs.text, a copy of the name that may be stale, is not used, so that a
// mention reads the same in both formats. An include extension's default
// parameter is read as "SPACE:Title" or "Title". It never panics.
//
// Empty or blank input gives "". Input that is not a JSON object returns
// an error wrapping ErrNotADF; input over MaxADFBytes one wrapping
// ErrTooLarge. Nodes nested deeper than 512 levels keep their text, not
// their layout. Unknown node types keep the text of their content.
func ADFText(adf string, o Options) (string, error) {
	if len(adf) > MaxADFBytes {
		return "", fmt.Errorf("adf text: %w: %d bytes, at most %d", ErrTooLarge, len(adf), MaxADFBytes)
	}
	trimmed := strings.Trim(adf, " \t\r\n") // JSON white space only
	if trimmed == "" {
		return "", nil
	}
	if trimmed[0] != '{' {
		return "", fmt.Errorf("adf text: %w: not a JSON object", ErrNotADF)
	}
	var doc adfNode
	if err := json.Unmarshal([]byte(trimmed), &doc); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) { // a value of the wrong type is skipped, the rest kept
			return "", fmt.Errorf("adf text: %w: %v", ErrNotADF, err)
		}
	}
	c := adfConverter{o: o}
	c.node(&doc, 0)
	return c.w.String(), nil
}

// adfConverter renders ADF nodes into a writer.
type adfConverter struct {
	w         writer
	o         Options
	listDepth int // open lists
}

// str returns the string attribute key of n, or "".
func (n *adfNode) str(key string) string {
	s, _ := n.Attrs[key].(string)
	return s
}

// num returns the number attribute key of n and whether there is one.
func (n *adfNode) num(key string) (float64, bool) {
	f, ok := n.Attrs[key].(float64)
	return f, ok
}
