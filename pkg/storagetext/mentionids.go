package storagetext

import (
	"encoding/json"
	"errors"
	"strings"
)

// maxMentionIDs bounds the account ids MentionIDs returns for one body.
const maxMentionIDs = 1000

// MentionIDs returns the account ids a storage-format body mentions
// (ri:user ri:account-id="…"), each once, in order of first mention, at
// most 1000. It reads attributes written as Confluence writes them (the
// attribute name as is, the value quoted) and does not tokenize the body,
// so that a caller can look the names up in bulk before converting at
// little cost.
func MentionIDs(storage string) []string {
	var out []string
	seen := map[string]bool{}
	for rest := storage; len(out) < maxMentionIDs; {
		i := strings.Index(rest, "ri:account-id=")
		if i < 0 {
			break
		}
		rest = rest[i+len("ri:account-id="):]
		if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		end := strings.IndexByte(rest[1:], rest[0])
		if end < 0 {
			break
		}
		id := strings.TrimSpace(rest[1 : 1+end])
		rest = rest[1+end:]
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ADFMentionIDs returns the account ids an ADF body's mention nodes name
// (attrs.id), each once, in order, at most 1000; nil for input ADFText
// refuses.
func ADFMentionIDs(adf string) []string {
	if len(adf) > MaxADFBytes || !strings.Contains(adf, `"mention"`) {
		return nil
	}
	var doc adfNode
	if err := json.Unmarshal([]byte(adf), &doc); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return nil
		}
	}
	var out []string
	seen := map[string]bool{}
	var walk func(n *adfNode, depth int)
	walk = func(n *adfNode, depth int) {
		if len(out) >= maxMentionIDs || depth > maxDepth {
			return
		}
		if id := strings.TrimSpace(n.str("id")); n.Type == "mention" && id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
		for i := range n.Content {
			walk(&n.Content[i], depth+1)
		}
	}
	walk(&doc, 0)
	return out
}
