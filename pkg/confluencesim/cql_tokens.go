package confluencesim

import (
	"strings"
	"unicode"
)

// The simulator splits CQL on its own, as the reference describes it, and
// shares no code with the crawler's configuration check (pkg/cql): a
// simulator that reuses its client's parser would accept what the client
// gets wrong.

// cqlTokens splits a query into words, quoted strings (quotes and
// backslash escapes kept), operators (= != < <= > >= ~ !~) and the
// punctuation ( ) and ,. closed is false when a quoted string runs to
// the end of the query; it is then the last token.
func cqlTokens(s string) (toks []string, closed bool) {
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
			j = cqlQuoteEnd(rs, i)
			closed = j <= len(rs)
			j = min(j, len(rs))
		case strings.ContainsRune("(),", r):
		case strings.ContainsRune("=!<>~", r):
			if j < len(rs) && strings.ContainsRune("=~", rs[j]) {
				j++
			}
		default:
			j = cqlWordEnd(rs, i)
		}
		toks = append(toks, string(rs[i:j]))
		i = j
	}
	return toks, closed
}

// cqlQuoteEnd is the index after the quote that closes the string opening
// at rs[i], or len(rs)+1 when none does.
func cqlQuoteEnd(rs []rune, i int) int {
	j := i + 1
	for j < len(rs) && rs[j] != rs[i] {
		if rs[j] == '\\' {
			j++
		}
		j++
	}
	return j + 1
}

// cqlWordEnd is the index after the word starting at rs[i].
func cqlWordEnd(rs []rune, i int) int {
	j := i
	for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune(`(),=!<>~"'`, rs[j]) {
		j++
	}
	return j
}

// cqlUnquote returns a quoted token's text without its quotes and backslash
// escapes; any other token is returned as is.
func cqlUnquote(t string) string {
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
