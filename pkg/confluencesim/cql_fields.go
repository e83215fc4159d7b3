package confluencesim

import (
	"slices"
	"strings"
)

// cqlFields are the CQL fields Atlassian documents for Confluence Cloud
// (the "CQL fields" page of the Cloud developer documentation), kept here
// apart from the crawler's own list (pkg/cql) so that a field added for
// the crawler is not accepted by the simulator with it. Any other name,
// space.id included, is answered 400 "No field exists with the name:
// '<field>'", as Confluence does.
var cqlFields = []string{
	"ancestor", "content", "created", "creator", "contributor", "favourite", "id", "label", "lastmodified",
	"macro", "mention", "parent", "space", "space.category", "space.desc", "space.key", "space.title",
	"space.type", "text", "title", "type", "watcher",
}

// cqlUnevaluated are documented fields the simulator keeps no data for;
// a query naming one is answered 400 with a message saying so, so that a
// crawler never gets a silently wrong answer.
var cqlUnevaluated = []string{"favourite", "macro", "mention", "space.category", "space.desc", "watcher"}

// cqlFuzzy are the fields that take the text operators ~ and !~; text
// takes nothing else.
var cqlFuzzy = []string{"title", "space.title", "text"}

// checkField refuses an unknown field, or a documented one the simulator
// does not evaluate.
func (p *cqlParser) checkField(field string) {
	if !slices.Contains(cqlFields, field) {
		p.fail("No field exists with the name: '" + field + "'")
	}
	if slices.Contains(cqlUnevaluated, field) {
		p.fail("The CQL field '" + field + "' is not supported by the simulator")
	}
}

// checkOperator refuses an operator a non-date field does not take.
func (p *cqlParser) checkOperator(field, op string) {
	fuzzy := op == "~" || op == "!~"
	switch {
	case field == "text" && !fuzzy,
		fuzzy && !slices.Contains(cqlFuzzy, field),
		!fuzzy && op != "=" && op != "!=" && op != "in" && op != "not in":
		p.fail("Unsupported operator '" + op + "' for field '" + field + "'")
	}
}

// cqlFieldMatches tells whether one value of a clause matches the hit.
// creator and contributor are both the item's author: the simulator keeps
// one author per item (the only contributor it knows of).
func cqlFieldMatches(ix *index, h hit, field, op, v string) bool {
	fuzzy := op == "~" || op == "!~"
	switch field {
	case "type":
		return strings.EqualFold(h.typ(), v)
	case "space", "space.key", "space.title", "space.type":
		return spaceFieldMatches(hitSpace(ix, h), field, fuzzy, v)
	case "id", "content":
		return h.id() == v || (h.a != nil && strings.TrimPrefix(h.a.ID, "att") == v)
	case "creator", "contributor":
		return h.author() == v
	case "title":
		if fuzzy {
			return fuzzyMatch(h.title(), v)
		}
		return strings.EqualFold(h.title(), v)
	case "text":
		return fuzzyMatch(h.title()+" "+h.text(), v)
	case "label":
		return slices.Contains(h.labels(), v)
	case "parent":
		return h.c != nil && h.c.ParentID == v
	case "ancestor":
		return h.c != nil && slices.ContainsFunc(ix.ancestors(h.c), func(a *Content) bool { return a.ID == v })
	}
	return false
}

// spaceFieldMatches evaluates space, space.key (the key, exact, personal
// keys "~…" included), space.title (the name) and space.type.
func spaceFieldMatches(s *Space, field string, fuzzy bool, v string) bool {
	if s == nil {
		return false
	}
	switch field {
	case "space.title":
		if fuzzy {
			return fuzzyMatch(s.Name, v)
		}
		return strings.EqualFold(s.Name, v)
	case "space.type":
		return strings.EqualFold(s.Type, v)
	}
	return s.Key == v
}

// fuzzyMatch is the simulator's "~": every word of the value (wildcards
// "*" and "?" dropped) occurs in the text, case-insensitively.
func fuzzyMatch(text, v string) bool {
	text = strings.ToLower(text)
	for _, w := range strings.Fields(strings.ToLower(strings.NewReplacer("*", " ", "?", " ").Replace(v))) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
