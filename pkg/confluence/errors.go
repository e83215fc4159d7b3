package confluence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// The error classes. Every error the client returns (apart from a canceled
// context, which wraps ctx.Err()) matches exactly one of them with
// errors.Is; ErrRateLimited also matches ErrRetryable.
var (
	// ErrNotFound: the item does not exist or the caller may not see it (404).
	ErrNotFound = errors.New("confluence: not found")
	// ErrUnauthorized: the credentials were rejected (401, 403), after one
	// refresh where the credentials allow it.
	ErrUnauthorized = errors.New("confluence: unauthorized")
	// ErrRateLimited: 429 after all retries, or a Retry-After longer than
	// Options.MaxRetryAfter; RetryAfterOf gives the announced delay.
	ErrRateLimited = errors.New("confluence: rate limited")
	// ErrRetryable: a transient failure (5xx, timeout, connection error)
	// that outlasted the retries; trying again later may succeed.
	ErrRetryable = errors.New("confluence: retryable")
	// ErrPermanent: retrying cannot help (another 4xx, or an answer that
	// breaks the API's rules: bad JSON, missing ids).
	ErrPermanent = errors.New("confluence: permanent")
)

// Error is a classified failure of one call. Method and Path name the
// request (the path never carries the query, which may hold secrets such
// as a signed download token).
type Error struct {
	Method string
	Path   string
	// Status is the HTTP status, 0 when no response was received.
	Status int
	// RetryAfter is the delay the server announced (429, 503), or 0.
	RetryAfter time.Duration
	// Detail is a short description: the API's error message or what was
	// wrong with the answer.
	Detail string
	// Err is the underlying cause, if any (a transport error, a JSON error).
	Err error

	class     error
	announced bool // a Retry-After was sent (it may be 0)
}

// Error names the request (never its query), the status and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Method + " " + e.Path + ": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "status %d", e.Status)
		if t := http.StatusText(e.Status); t != "" {
			b.WriteString(" " + t)
		}
		b.WriteString(": ")
	}
	if e.Detail != "" {
		b.WriteString(e.Detail + ": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error() + ": ")
	}
	b.WriteString(e.class.Error())
	return b.String()
}

// Unwrap returns the class sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.class}
	}
	return []error{e.class, e.Err}
}

// Is makes a rate-limit error match ErrRetryable too.
func (e *Error) Is(target error) bool {
	return target == ErrRetryable && e.class == ErrRateLimited
}

// RetryAfterOf returns the delay a rate-limited or overloaded Confluence
// announced (Retry-After) in the chain of err.
func RetryAfterOf(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.announced {
		return e.RetryAfter, true
	}
	return 0, false
}

// classOf maps a response status to its class.
func classOf(status int) error {
	switch {
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrUnauthorized
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500, status == http.StatusRequestTimeout:
		return ErrRetryable
	default:
		return ErrPermanent
	}
}

// pathOf returns target without its query.
func pathOf(target string) string {
	p, _, _ := strings.Cut(target, "?")
	return p
}

// errorDetail extracts a short message from an error answer: the JSON
// message or first error of the v1/v2/OAuth shapes, or the first line of a
// plain-text body. HTML pages give "".
func errorDetail(body io.Reader) string {
	raw, _ := io.ReadAll(io.LimitReader(body, 4<<10))
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] == '<' {
		return ""
	}
	var shapes struct {
		Message          string `json:"message"`
		ErrorDescription string `json:"error_description"`
		Errors           []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if raw[0] == '{' {
		if json.Unmarshal(raw, &shapes) != nil {
			return ""
		}
		switch {
		case shapes.Message != "":
			return clip(shapes.Message)
		case shapes.ErrorDescription != "":
			return clip(shapes.ErrorDescription)
		case len(shapes.Errors) > 0 && shapes.Errors[0].Detail != "":
			return clip(shapes.Errors[0].Detail)
		case len(shapes.Errors) > 0:
			return clip(shapes.Errors[0].Title)
		}
		return ""
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	return clip(line)
}

// clip shortens s to at most 200 bytes on a rune boundary.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 200 {
		return s
	}
	cut := 200
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
