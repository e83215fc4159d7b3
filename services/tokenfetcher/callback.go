package tokenfetcher

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// exchangeTimeout bounds the token exchange.
const exchangeTimeout = 30 * time.Second

type callbackResult struct {
	tokens Tokens
	err    error
}

// callback serves http://localhost:PORT/: the first request that carries
// a code or an error ends the run; the browser sees the outcome.
type callback struct {
	conf   *oauth2.Config
	client *http.Client
	state  string
	done   chan callbackResult

	mu       sync.Mutex
	finished bool
}

func newCallback(conf *oauth2.Config, client *http.Client, state string) *callback {
	return &callback{conf: conf, client: client, state: state, done: make(chan callbackResult, 1)}
}

func (c *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.URL.Path != "/" || (!q.Has("code") && !q.Has("error")) {
		page(w, http.StatusNotFound, "Not the OAuth callback", "This address only receives the redirect from the consent screen.")
		return
	}
	if !c.claim() {
		page(w, http.StatusGone, "Already done", "This authorization has already been handled; look at the terminal.")
		return
	}
	res := c.handle(r)
	if res.err != nil {
		page(w, http.StatusBadRequest, "Authorization failed", res.err.Error()+". See the terminal.")
	} else {
		page(w, http.StatusOK, "Authorized", "conflux received its tokens. You can close this window; the terminal shows what to put in conflux.yaml.")
	}
	c.done <- res
}

// claim reports whether this request is the first callback.
func (c *callback) claim() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finished {
		return false
	}
	c.finished = true
	return true
}

func (c *callback) handle(r *http.Request) callbackResult {
	q := r.URL.Query()
	if q.Get("state") != c.state {
		return callbackResult{err: fmt.Errorf("%w: the callback's state is not the one this run sent (a stale or forged redirect); run the command again", ErrStateMismatch)}
	}
	if e := q.Get("error"); e != "" {
		desc := q.Get("error_description")
		if e == "access_denied" {
			return callbackResult{err: fmt.Errorf("%w: the consent was refused in the browser (%s); run again and click Accept", ErrConsentDenied, desc)}
		}
		return callbackResult{err: fmt.Errorf("authorization failed: %s: %s", e, desc)}
	}
	ctx, cancel := context.WithTimeout(r.Context(), exchangeTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.client)
	tok, err := c.conf.Exchange(ctx, q.Get("code"))
	if err != nil {
		return callbackResult{err: exchangeError(err)}
	}
	scope, _ := tok.Extra("scope").(string)
	return callbackResult{tokens: Tokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Scope: scope, Expiry: tok.Expiry}}
}

// exchangeError explains a failed code exchange without echoing the
// response body.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("token exchange: %w", err)
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	switch {
	case status == http.StatusUnauthorized || re.ErrorCode == "access_denied" || re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		return fmt.Errorf("%w: the token endpoint answered HTTP %d %q; check -i CLIENT_ID and -s SECRET in the developer console", ErrClientRejected, status, re.ErrorCode)
	case re.ErrorCode == "invalid_grant":
		return fmt.Errorf("token exchange: the authorization code was refused (HTTP %d invalid_grant: expired, already used, or the callback URL differs); run the command again", status)
	default:
		return fmt.Errorf("token exchange: HTTP %d %q", status, re.ErrorCode)
	}
}

func page(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(msg))
}
