// Package userscsv reads the Atlassian admin "Export users" CSV, the only
// source of the emails that Confluence hides by privacy setting.
//
// Columns are found by header name (case-insensitive, trimmed, a UTF-8 BOM
// stripped), never by position, because the export's columns vary: per-site
// product columns ("Confluence - acme", "Last seen in Confluence - acme"),
// "Added to org", "Org role", and group membership in one of three shapes:
//
//   - one row per group with "Group id" and "Group name" columns (a user
//     appears on several rows; the rows are merged);
//   - pivoted "Group 1", "Group 2", … columns holding group names;
//   - one "Groups" (or "Group membership") column holding a comma-separated
//     list of group names.
//
// "User id", "email" and "User status" are required. Only users whose
// status is "Active" (case-insensitive) are returned; the other statuses
// seen in exports are Inactive, Suspended and Deactivated, and any status
// other than Active is skipped, since such an account cannot sign in.
//
// The parser is RFC 4180 CSV, strict about quotes, and line oriented so that
// one bad line costs only itself: a record with the wrong number of fields,
// an empty user id, a quote inside an unquoted field or an unterminated
// quote is reported with its line number and the lines after it are still
// read. A quoted field may span lines (up to maxRecordLines); a quote still
// open after that is reported as unterminated and reading resumes on the
// next line. Spaces around a quoted field are tolerated.
//
// The file is streamed: memory holds one record (a line is at most
// maxLineBytes), the users found and at most Options.MaxBadRows bad lines.
// One bad row more than MaxBadRows (default DefaultMaxBadRows) stops the
// parse with a *TooManyBadRowsError, since a file that bad is not the
// export it claims to be.
package userscsv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// User is one active account of the export.
type User struct {
	// AccountID is the Atlassian account id ("User id").
	AccountID string
	// Name is the "User name" column, "" when absent.
	Name string
	// Email is the "email" column as written, trimmed; it may be "".
	Email string
	// Status is the "User status" column as written, e.g. "Active".
	Status string
	// Groups are the names of the user's groups, in file order, without
	// duplicates; nil when the export has no group columns.
	Groups []string
	// GroupIDs are the values of a "Group id" column, when the export has
	// one, in file order, without duplicates.
	GroupIDs []string
}

// LineError is a line of the file that was skipped.
type LineError struct {
	// Line is the 1-based line number (the header is line 1; a record
	// spanning lines is reported at its first).
	Line int
	// Err says why; it wraps one of ErrFieldCount, ErrNoUserID, ErrQuote,
	// ErrLineTooLong or ErrConflict.
	Err error
}

// Error names the line and what is wrong with it.
func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns Err.
func (e LineError) Unwrap() error { return e.Err }

// Reasons a line is bad, matched with errors.Is on LineError.
var (
	ErrFieldCount  = errors.New("wrong number of fields")
	ErrNoUserID    = errors.New("empty user id")
	ErrQuote       = errors.New("malformed quoting")
	ErrConflict    = errors.New("conflicts with an earlier row of the same user")
	ErrLineTooLong = errors.New("line too long")
)

// ErrTooManyBadRows is what a *TooManyBadRowsError matches with errors.Is.
var ErrTooManyBadRows = errors.New("too many bad rows")

// TooManyBadRowsError stops Parse at the first bad row beyond
// Options.MaxBadRows.
type TooManyBadRowsError struct {
	// File names the input, "" when unknown.
	File string
	// Max is the number of bad rows that were allowed.
	Max int
	// Count is the number of bad rows read, Max+1.
	Count int
	// Line is the line where reading stopped, that of the last bad row.
	Line int
	// First is the first bad row.
	First LineError
}

// Error names the file, how many rows were bad and the first of them.
func (e *TooManyBadRowsError) Error() string {
	return fmt.Sprintf("%s: %v: %d bad rows by line %d, more than the %d allowed; the first is line %d: %v",
		Options{File: e.File}.name(), ErrTooManyBadRows, e.Count, e.Line, e.Max, e.First.Line, e.First.Err)
}

// Unwrap returns ErrTooManyBadRows.
func (e *TooManyBadRowsError) Unwrap() error { return ErrTooManyBadRows }

// DefaultMaxBadRows is the number of bad rows Parse skips before it gives
// up, when Options.MaxBadRows is 0.
const DefaultMaxBadRows = 100

// Options tune Parse. The zero value is the default.
type Options struct {
	// MaxBadRows is the number of bad rows skipped and returned; one more
	// stops the parse with a *TooManyBadRowsError. 0 (or less) means
	// DefaultMaxBadRows.
	MaxBadRows int
	// File names the input in errors (the path of the file); "" for none.
	File string
}

func (o Options) maxBadRows() int {
	if o.MaxBadRows <= 0 {
		return DefaultMaxBadRows
	}
	return o.MaxBadRows
}

// maxRecordLines bounds how many lines one quoted field may span before
// its quote is taken as unterminated.
const maxRecordLines = 10

// maxLineBytes bounds the length of one line, its line ending included; a
// longer line is a bad row (ErrLineTooLong). Real rows are well under a
// kilobyte, a user in hundreds of groups a few tens of kilobytes.
const maxLineBytes = 1 << 20

// columns are the positions of the columns Parse reads; -1 when absent.
type columns struct {
	id, name, email, status, groupID, groupName int
	pivot                                       []int // "Group 1", "Group 2" …
	lists                                       []int // "Groups": comma-separated names
	n                                           int   // fields in the header
}

var pivotName = regexp.MustCompile(`^group \d+$`)

func findColumns(header []string) (columns, error) {
	c := columns{id: -1, name: -1, email: -1, status: -1, groupID: -1, groupName: -1, n: len(header)}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(h, "\uFEFF", "")))
		set := func(p *int) {
			if *p < 0 {
				*p = i
			}
		}
		switch {
		case h == "user id":
			set(&c.id)
		case h == "user name":
			set(&c.name)
		case h == "email":
			set(&c.email)
		case h == "user status":
			set(&c.status)
		case h == "group id":
			set(&c.groupID)
		case h == "group name":
			set(&c.groupName)
		case h == "groups", h == "group membership", h == "group memberships":
			c.lists = append(c.lists, i)
		case pivotName.MatchString(h):
			c.pivot = append(c.pivot, i)
		}
	}
	var missing []string
	for _, r := range []struct {
		pos  int
		name string
	}{{c.id, "User id"}, {c.email, "email"}, {c.status, "User status"}} {
		if r.pos < 0 {
			missing = append(missing, fmt.Sprintf("%q", r.name))
		}
	}
	if missing != nil {
		return c, fmt.Errorf("header lacks the column %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// Parse reads an export with the default Options; see Options.Parse.
func Parse(r io.Reader) (users []User, bad []LineError, err error) {
	return Options{}.Parse(r)
}

// Parse reads an export. It returns the active users, one per account id
// with the groups of all its rows merged, in the order of their first row;
// the bad lines, each skipped without losing the others; and an error when
// the header is unusable (missing, malformed, lacking a required column,
// UTF-16), when reading fails, or when more than MaxBadRows rows are bad
// (a *TooManyBadRowsError). With an error, users and bad are nil.
func (o Options) Parse(r io.Reader) (users []User, bad []LineError, err error) {
	lr := newLineReader(r)
	header, _, err := readHeader(lr)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", o.name(), err)
	}
	cols, err := findColumns(header)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", o.name(), err)
	}
	m := merger{cols: cols, index: map[string]int{}, status: map[string]seenStatus{}}
	for {
		fields, line, err := readRecord(lr)
		switch {
		case errors.Is(err, io.EOF):
			return m.users, m.bad, nil
		case errors.Is(err, ErrQuote), errors.Is(err, ErrLineTooLong):
		case err != nil:
			return nil, nil, fmt.Errorf("%s: read line %d: %w", o.name(), line, err)
		case blank(fields):
			continue
		default:
			err = m.add(fields, line)
		}
		if err == nil {
			continue
		}
		if len(m.bad) == o.maxBadRows() {
			return nil, nil, &TooManyBadRowsError{File: o.File, Max: len(m.bad), Count: len(m.bad) + 1, Line: line, First: m.bad[0]}
		}
		m.bad = append(m.bad, LineError{Line: line, Err: err})
	}
}

// ParseFile opens the file at path and parses it as Parse does, with
// File set to path so that errors name it.
func (o Options) ParseFile(path string) (users []User, bad []LineError, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("users csv: %w", err)
	}
	defer f.Close()
	o.File = path
	return o.Parse(f)
}

// name is how errors start: "users csv" and the file, when known.
func (o Options) name() string {
	if o.File == "" {
		return "users csv"
	}
	return "users csv " + o.File
}

func readHeader(lr *lineReader) ([]string, int, error) {
	for {
		fields, line, err := readRecord(lr)
		switch {
		case errors.Is(err, io.EOF):
			return nil, 0, errors.New("empty file, no header")
		case errors.Is(err, errUTF16):
			return nil, 0, err
		case err != nil:
			return nil, 0, fmt.Errorf("header line %d: %w", line, err)
		}
		if !blank(fields) {
			return fields, line, nil
		}
	}
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
