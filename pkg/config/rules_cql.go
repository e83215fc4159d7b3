package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/conflux-dev/conflux/pkg/cql"
)

// CQLFields are the CQL fields Atlassian documents for Confluence Cloud
// (cql.Fields). A filter naming any other field (space.id, say) is
// refused: Confluence answers it with 400 "No field exists with the name".
var CQLFields = cql.Fields

// cqlOperators are the CQL comparison operators.
var cqlOperators = []string{"=", "!=", ">", ">=", "<", "<=", "~", "!~", "in", "not in"}

// CheckCQLFilter checks a CQL condition for rules.cql: clauses
// "field operator value" (or "field in (v1, v2)"), joined by and / or and
// grouped by parentheses, naming only documented fields (CQLFields).
// Values are quoted strings, bare words, or functions such as
// now("-4w"). It refuses "order by": the crawl orders its own queries.
func CheckCQLFilter(filter string) error {
	toks, closed := cql.Tokens(filter)
	if !closed {
		return errors.New("a quoted string is not closed")
	}
	p := &cqlCheck{toks: toks}
	if err := p.expr(0); err != nil {
		return err
	}
	if t := p.peek(); t != "" {
		if strings.EqualFold(t, "order") {
			return errors.New(`"order by" is not allowed: the filter is a condition`)
		}
		return fmt.Errorf("unexpected %q", t)
	}
	return nil
}

type cqlCheck struct {
	toks []string
	i    int
}

func (p *cqlCheck) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *cqlCheck) next() string { t := p.peek(); p.i++; return t }

// expr is clause ((and|or) clause)*.
func (p *cqlCheck) expr(depth int) error {
	if depth > 20 {
		return errors.New("parentheses nested too deep")
	}
	for {
		if err := p.clause(depth); err != nil {
			return err
		}
		w := strings.ToLower(p.peek())
		if w != "and" && w != "or" {
			return nil
		}
		p.next()
	}
}

func (p *cqlCheck) clause(depth int) error {
	t := p.next()
	switch {
	case t == "":
		return errors.New("ends where a condition was expected")
	case t == "(":
		if err := p.expr(depth + 1); err != nil {
			return err
		}
		if p.next() != ")" {
			return errors.New("a parenthesis is not closed")
		}
		return nil
	case !isCQLWord(t):
		return fmt.Errorf("unexpected %q where a field was expected", t)
	}
	field := strings.ToLower(t)
	if !slices.Contains(CQLFields, field) {
		return fmt.Errorf("field %q is not a documented CQL field (%s)", t, strings.Join(CQLFields, ", "))
	}
	op := strings.ToLower(p.next())
	if op == "not" {
		if !strings.EqualFold(p.next(), "in") {
			return fmt.Errorf(`"not" after field %q must be "not in"`, t)
		}
		op = "not in"
	}
	if !slices.Contains(cqlOperators, op) {
		return fmt.Errorf("%q after field %q is not an operator (%s)", op, t, strings.Join(cqlOperators, " "))
	}
	if op == "in" || op == "not in" {
		return p.list(field)
	}
	return p.value(field)
}

// list is "(" value ("," value)* ")".
func (p *cqlCheck) list(field string) error {
	if p.next() != "(" {
		return fmt.Errorf("%q in needs a list in parentheses", field)
	}
	for {
		if err := p.value(field); err != nil {
			return err
		}
		switch p.next() {
		case ")":
			return nil
		case ",":
		default:
			return fmt.Errorf("the list after %q is not closed", field)
		}
	}
}

// value is a quoted string, a word, or a function call word(args).
func (p *cqlCheck) value(field string) error {
	t := p.next()
	switch {
	case t == "":
		return fmt.Errorf("field %q has no value", field)
	case t[0] == '"' || t[0] == '\'':
		return nil
	case !isCQLWord(t) || strings.EqualFold(t, "and") || strings.EqualFold(t, "or"):
		return fmt.Errorf("field %q has no value (found %q)", field, t)
	}
	if p.peek() != "(" {
		return nil
	}
	p.next()
	for p.peek() != ")" {
		a := p.next()
		if a == "" || a == "(" {
			return fmt.Errorf("the function %s( after %q is not closed", t, field)
		}
	}
	p.next()
	return nil
}

func isCQLWord(t string) bool {
	return t != "" && !strings.ContainsAny(t[:1], `(),"'=!<>~`)
}
