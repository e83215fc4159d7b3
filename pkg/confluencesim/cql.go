package confluencesim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A CQL subset: clauses joined by "and" (and "or"; "and" binds tighter),
// then an optional "order by". Fields: see cql_fields.go (the documented
// Cloud list; any other name is a 400). Operators: = != > >= < <= ~ !~
// (title, space.title, text) in, not in. Dates are
// "yyyy-MM-dd HH:mm", "yyyy-MM-dd" (also with /), or now("-4w") (w d h m),
// evaluated in UTC (the crawler's profile time zone is assumed UTC;
// UNCONFIRMED), at minute resolution: an item's time is truncated to the
// minute before it is compared. CQL has no status field: asking for one
// is a 400, as live.

// hit is one searchable item: content or an attachment.
type hit struct {
	c *Content
	a *Attachment
}

func (h hit) id() string {
	if h.a != nil {
		return h.a.ID
	}
	return h.c.ID
}

func (h hit) typ() string {
	if h.a != nil {
		return "attachment"
	}
	return h.c.Type
}

func (h hit) title() string {
	if h.a != nil {
		return h.a.Title
	}
	return h.c.Title
}

func (h hit) updated() time.Time {
	if h.a != nil {
		return h.a.UpdatedAt
	}
	return h.c.UpdatedAt
}

func (h hit) created() time.Time {
	if h.a != nil {
		return h.a.CreatedAt
	}
	return h.c.CreatedAt
}

func (h hit) labels() []string {
	if h.a != nil {
		return h.a.Labels
	}
	return h.c.Labels
}

// cqlQuery is a parsed query.
type cqlQuery struct {
	where func(ix *index, h hit) bool
	order []cqlOrder
}

type cqlOrder struct {
	field string
	desc  bool
}

type cqlError struct{ msg string }

func (e *cqlError) Error() string { return e.msg }

func parseCQL(s string, now time.Time) (q cqlQuery, err error) {
	p := &cqlParser{toks: tokens(s), now: now, src: s}
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(*cqlError)
			if !ok {
				panic(r)
			}
			err = ce
		}
	}()
	q.where = func(*index, hit) bool { return true }
	if !p.peekWord("order") {
		q.where = p.or()
	}
	if p.peekWord("order") {
		p.next()
		p.expectWord("by")
		for {
			f := strings.ToLower(p.next())
			if !slices.Contains([]string{"lastmodified", "created", "title", "id"}, f) {
				p.fail("Cannot order by field: '" + f + "'")
			}
			o := cqlOrder{field: f}
			if p.peekWord("asc") {
				p.next()
			} else if p.peekWord("desc") {
				p.next()
				o.desc = true
			}
			q.order = append(q.order, o)
			if p.peek() != "," {
				break
			}
			p.next()
		}
	}
	if p.peek() != "" {
		p.fail("Could not parse cql : " + s)
	}
	return q, nil
}

type cqlParser struct {
	toks []string
	i    int
	now  time.Time
	src  string
}

func (p *cqlParser) fail(msg string) { panic(&cqlError{msg}) }

func (p *cqlParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *cqlParser) next() string {
	t := p.peek()
	if t == "" {
		p.fail("Could not parse cql : " + p.src)
	}
	p.i++
	return t
}

func (p *cqlParser) peekWord(w string) bool { return strings.EqualFold(p.peek(), w) }

func (p *cqlParser) expectWord(w string) {
	if !strings.EqualFold(p.next(), w) {
		p.fail("Could not parse cql : " + p.src)
	}
}

type pred = func(ix *index, h hit) bool

func (p *cqlParser) or() pred {
	l := p.and()
	for p.peekWord("or") {
		p.next()
		a, b := l, p.and()
		l = func(ix *index, h hit) bool { return a(ix, h) || b(ix, h) }
	}
	return l
}

func (p *cqlParser) and() pred {
	l := p.clause()
	for p.peekWord("and") {
		p.next()
		a, b := l, p.clause()
		l = func(ix *index, h hit) bool { return a(ix, h) && b(ix, h) }
	}
	return l
}

func (p *cqlParser) clause() pred {
	if p.peek() == "(" {
		p.next()
		e := p.or()
		if p.next() != ")" {
			p.fail("Could not parse cql : " + p.src)
		}
		return e
	}
	field := strings.ToLower(p.next())
	p.checkField(field)
	op := strings.ToLower(p.next())
	if op == "not" {
		p.expectWord("in")
		op = "not in"
	}
	var vals []string
	switch op {
	case "in", "not in":
		if p.next() != "(" {
			p.fail("Could not parse cql : " + p.src)
		}
		for {
			vals = append(vals, p.value())
			t := p.next()
			if t == ")" {
				break
			}
			if t != "," {
				p.fail("Could not parse cql : " + p.src)
			}
		}
	case "=", "!=", ">", ">=", "<", "<=", "~", "!~":
		vals = []string{p.value()}
	default:
		p.fail("Could not parse cql : " + p.src)
	}
	switch field {
	case "lastmodified", "created":
		return p.dateClause(field, op, vals)
	}
	p.checkOperator(field, op)
	match := func(ix *index, h hit) bool {
		for _, v := range vals {
			if cqlFieldMatches(ix, h, field, op, v) {
				return true
			}
		}
		return false
	}
	if op == "!=" || op == "not in" || op == "!~" {
		return func(ix *index, h hit) bool { return !match(ix, h) }
	}
	return match
}

func (p *cqlParser) dateClause(field, op string, vals []string) pred {
	if len(vals) != 1 || op == "in" || op == "not in" || op == "~" || op == "!~" {
		p.fail("Unsupported operator '" + op + "' for field '" + field + "'")
	}
	t := p.date(vals[0])
	return func(_ *index, h hit) bool {
		v := h.updated()
		if field == "created" {
			v = h.created()
		}
		v = v.UTC().Truncate(time.Minute)
		switch op {
		case "=":
			return v.Equal(t)
		case "!=":
			return !v.Equal(t)
		case ">":
			return v.After(t)
		case ">=":
			return !v.Before(t)
		case "<":
			return v.Before(t)
		default: // <=
			return !v.After(t)
		}
	}
}

func (p *cqlParser) date(v string) time.Time {
	if strings.HasPrefix(v, "\x00now") {
		return p.relative(strings.TrimPrefix(v, "\x00now"))
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t
		}
	}
	p.fail(fmt.Sprintf("Invalid date: '%s'", v))
	return time.Time{}
}

func (p *cqlParser) relative(arg string) time.Time {
	now := p.now.UTC().Truncate(time.Minute)
	if arg == "" {
		return now
	}
	unit := arg[len(arg)-1]
	n, err := strconv.Atoi(arg[:len(arg)-1])
	if err != nil {
		p.fail("Invalid date: now(\"" + arg + "\")")
	}
	d := map[byte]time.Duration{'w': 7 * 24 * time.Hour, 'd': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}[unit]
	if d == 0 {
		p.fail("Invalid date: now(\"" + arg + "\")")
	}
	return now.Add(time.Duration(n) * d)
}

// value reads a quoted string, a bare word, or now("…").
func (p *cqlParser) value() string {
	t := p.next()
	if strings.EqualFold(t, "now") && p.peek() == "(" {
		p.next()
		arg := ""
		if p.peek() != ")" {
			arg = cqlUnquote(p.next())
		}
		if p.next() != ")" {
			p.fail("Could not parse cql : " + p.src)
		}
		return "\x00now" + arg
	}
	if t == "(" || t == ")" || t == "," {
		p.fail("Could not parse cql : " + p.src)
	}
	return cqlUnquote(t)
}

func hitSpace(ix *index, h hit) *Space {
	if h.a != nil {
		if k := ix.content[h.a.ContainerID]; k != nil {
			return ix.spaceOf(k)
		}
		return nil
	}
	return ix.spaceOf(h.c)
}

// author is the account that created the item (the simulator keeps one).
func (h hit) author() string {
	if h.a != nil {
		return h.a.AuthorID
	}
	return h.c.AuthorID
}

// text is what "text ~" searches besides the title: the body as plain
// text, or an attachment's comment.
func (h hit) text() string {
	if h.a != nil {
		return h.a.Comment
	}
	return plainText(h.c.Body)
}

// tokens splits a query as Confluence does; an unclosed quoted string
// runs to the end of the query.
func tokens(s string) []string {
	toks, _ := cqlTokens(s)
	return toks
}
