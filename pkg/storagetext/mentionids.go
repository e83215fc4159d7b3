package storagetext

import "strings"

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
