package confluence

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClassOf(t *testing.T) {
	tests := []struct {
		status int
		want   error
	}{
		{400, ErrPermanent}, {401, ErrUnauthorized}, {403, ErrUnauthorized}, {404, ErrNotFound},
		{408, ErrRetryable}, {409, ErrPermanent}, {429, ErrRateLimited},
		{500, ErrRetryable}, {502, ErrRetryable}, {503, ErrRetryable}, {504, ErrRetryable},
	}
	for _, tt := range tests {
		if got := classOf(tt.status); got != tt.want {
			t.Errorf("classOf(%d) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestErrorMatching(t *testing.T) {
	sentinels := []error{ErrNotFound, ErrUnauthorized, ErrRateLimited, ErrRetryable, ErrPermanent}
	tests := []struct {
		name    string
		err     *Error
		matches []error
	}{
		{"not found", &Error{class: ErrNotFound}, []error{ErrNotFound}},
		{"rate limited is retryable", &Error{class: ErrRateLimited}, []error{ErrRateLimited, ErrRetryable}},
		{"retryable", &Error{class: ErrRetryable}, []error{ErrRetryable}},
		{"permanent", &Error{class: ErrPermanent}, []error{ErrPermanent}},
		{"unauthorized", &Error{class: ErrUnauthorized}, []error{ErrUnauthorized}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wrapped := fmt.Errorf("fetch page 1: %w", tt.err)
			for _, s := range sentinels {
				want := false
				for _, m := range tt.matches {
					want = want || m == s
				}
				if got := errors.Is(wrapped, s); got != want {
					t.Errorf("errors.Is(%v) = %v, want %v", s, got, want)
				}
			}
		})
	}
}

func TestRetryAfterOf(t *testing.T) {
	err := fmt.Errorf("list: %w", &Error{class: ErrRateLimited, RetryAfter: 90 * time.Second, announced: true})
	if d, ok := RetryAfterOf(err); !ok || d != 90*time.Second {
		t.Errorf("RetryAfterOf = %v, %v", d, ok)
	}
	if _, ok := RetryAfterOf(&Error{class: ErrRetryable}); ok {
		t.Error("RetryAfterOf without an announced delay reports one")
	}
	if _, ok := RetryAfterOf(errors.New("x")); ok {
		t.Error("RetryAfterOf of a foreign error reports one")
	}
}

func TestErrorMessage(t *testing.T) {
	e := &Error{Method: "GET", Path: "/wiki/api/v2/pages/1", Status: 404, Detail: "Cannot find a page with id [1]", class: ErrNotFound}
	want := "GET /wiki/api/v2/pages/1: status 404 Not Found: Cannot find a page with id [1]: confluence: not found"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q\nwant      %q", got, want)
	}
}

func TestErrorDetail(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"v2 errors", `{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}`, "Not Found"},
		{"v2 errors with detail", `{"errors":[{"status":400,"title":"Bad Request","detail":"limit must be 1..250"}]}`, "limit must be 1..250"},
		{"v1 message", `{"statusCode":403,"message":"Current user not permitted to use Confluence"}`, "Current user not permitted to use Confluence"},
		{"gateway", `{"code":401,"message":"Unauthorized; scope does not match"}`, "Unauthorized; scope does not match"},
		{"oauth", `{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}`, "Unknown or invalid refresh token."},
		{"plain text", "caller cannot access Confluence\nmore", "caller cannot access Confluence"},
		{"html", "<!doctype html><html>Tomcat</html>", ""},
		{"empty", "", ""},
		{"long", strings.Repeat("é", 300), strings.Repeat("é", 100) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorDetail(strings.NewReader(tt.body)); got != tt.want {
				t.Errorf("errorDetail = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatusFailureMarksStaleCredentials(t *testing.T) {
	basic := Credential{Authorization: "Basic x"}
	bearer := Credential{Authorization: "Bearer x"}
	tests := []struct {
		status   int
		cred     Credential
		rejected bool
	}{
		{401, basic, true}, {401, bearer, true},
		{403, basic, false}, {403, bearer, true},
		{404, basic, false}, {404, bearer, true},
		{500, bearer, false},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: http.NoBody}
		out := statusFailure(get("/wiki/x"), tt.cred, resp)
		if out.rejected != tt.rejected {
			t.Errorf("status %d %s: rejected = %v, want %v", tt.status, tt.cred.Authorization[:6], out.rejected, tt.rejected)
		}
	}
}
