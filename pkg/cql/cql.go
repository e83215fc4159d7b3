// Package cql holds what the crawler's configuration check knows of the
// Confluence Query Language: its documented fields and how a query splits
// into tokens. The simulator keeps its own copy (it must not share its
// client's code).
package cql

import (
	"strings"
	"unicode"
)

// Fields are the CQL fields Atlassian documents for Confluence Cloud (the
// "CQL fields" page of the Cloud developer documentation). Confluence
// answers any other name (space.id, say) with 400 "No field exists with
// the name".
var Fields = []string{
	"ancestor", "content", "created", "creator", "contributor", "favourite", "id", "label", "lastmodified",
	"macro", "mention", "parent", "space", "space.category", "space.desc", "space.key", "space.title",
	"space.type", "text", "title", "type", "watcher",
}

// Tokens splits a query into words, quoted strings (quotes and
// backslash escapes kept), operators (= != < <= > >= ~ !~) and the
// punctuation ( ) and ,. closed is false when a quoted string runs to
// the end of the query; it is then the last token.
func Tokens(s string) (toks []string, closed bool) {
	rs := []rune(s)
	closed = true
	for i := 0; i < len(rs); {
		r := rs[i]
		j := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
			continue
		case r == '"' || r == '\'':
			j = quoteEnd(rs, i)
			closed = j <= len(rs)
			j = min(j, len(rs))
		case strings.ContainsRune("(),", r):
		case strings.ContainsRune("=!<>~", r):
			if j < len(rs) && strings.ContainsRune("=~", rs[j]) {
				j++
			}
		default:
			j = wordEnd(rs, i)
		}
		toks = append(toks, string(rs[i:j]))
		i = j
	}
	return toks, closed
}

// quoteEnd is the index after the quote that closes the string opening
// at rs[i], or len(rs)+1 when none does.
func quoteEnd(rs []rune, i int) int {
	j := i + 1
	for j < len(rs) && rs[j] != rs[i] {
		if rs[j] == '\\' {
			j++
		}
		j++
	}
	return j + 1
}

// wordEnd is the index after the word starting at rs[i].
func wordEnd(rs []rune, i int) int {
	j := i
	for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune(`(),=!<>~"'`, rs[j]) {
		j++
	}
	return j
}

// Unquote returns a quoted token's text without its quotes and backslash
// escapes; any other token is returned as is.
func Unquote(t string) string {
	if len(t) < 2 || (t[0] != '"' && t[0] != '\'') {
		return t
	}
	inner := t[1 : len(t)-1]
	var sb strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\\' && i+1 < len(inner) {
			i++
		}
		sb.WriteByte(inner[i])
	}
	return sb.String()
}
