// Package tokenfetcher runs the OAuth 2.0 (3LO) authorization of a
// Confluence Cloud app once, by hand: it sends the operator's browser to
// Atlassian's consent screen, takes the authorization code on a callback
// at http://localhost:PORT (listening on 127.0.0.1 only), checks the
// state, exchanges the code for tokens and prints the access token, the
// refresh token and the conflux.yaml snippet that hands the refresh token
// to the token broker.
//
// The binary is oauth2-tokenfetcher (cmd/oauth2-tokenfetcher):
//
//	oauth2-tokenfetcher --api confluencecloud -i <CLIENT_ID> [-s <SECRET> | -s - | --secret-file F]
//	    [--port 13131] [--scopes "a b c"] [--no-browser] [--auth-url URL] [--token-url URL]
//	    [--api-url URL] [--timeout 5m]
//
// Without -s or --secret-file the secret comes from $CONFLUX_CLIENT_SECRET.
package tokenfetcher

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// Atlassian's endpoints, the defaults of Options.AuthURL and TokenURL.
const (
	DefaultAuthURL  = "https://auth.atlassian.com/authorize"
	DefaultTokenURL = "https://auth.atlassian.com/oauth/token"
	// DefaultAPIURL is Atlassian's API gateway, the default of
	// Options.APIURL (and of auth.oauth2.api_url).
	DefaultAPIURL = "https://api.atlassian.com"
	// DefaultPort is the callback port: http://localhost:13131 must be a
	// callback URL of the app in the developer console.
	DefaultPort = 13131
	// DefaultTimeout bounds the wait for the browser to come back.
	DefaultTimeout = 5 * time.Minute
	// APIConfluenceCloud is the only value --api accepts.
	APIConfluenceCloud = "confluencecloud"
)

// DefaultScopes are the read scopes the crawler needs: the granular scopes
// of the v2 endpoints, the granular (beta) equivalents of the v1
// restriction and group calls, CQL search, and offline_access for a
// refresh token (Atlassian's OAuth 2.0 (3LO) documentation). The app must have
// the same scopes in the developer console; --scopes replaces the list.
var DefaultScopes = []string{
	"read:space:confluence",
	"read:page:confluence",
	"read:folder:confluence",
	"read:hierarchical-content:confluence",
	"read:content.metadata:confluence",
	"read:content-details:confluence",
	"read:attachment:confluence",
	"read:comment:confluence",
	"read:label:confluence",
	"read:space.permission:confluence",
	"read:user:confluence",
	"read:group:confluence",
	"read:configuration:confluence",
	"search:confluence",
	"offline_access",
}

// Errors that Run returns (wrapped, with details), for errors.Is.
var (
	// ErrConsentDenied: the user refused the consent (error=access_denied).
	ErrConsentDenied = errors.New("consent denied")
	// ErrClientRejected: the token endpoint refused the client id or secret.
	ErrClientRejected = errors.New("client id or secret rejected")
	// ErrPortInUse: the callback port is taken.
	ErrPortInUse = errors.New("callback port in use")
	// ErrStateMismatch: the callback's state is not the one sent.
	ErrStateMismatch = errors.New("state mismatch")
	// ErrTimeout: the browser did not come back in time.
	ErrTimeout = errors.New("timed out waiting for the browser")
)

// Options configure one run. The zero value of a field means its default.
type Options struct {
	// API must be "confluencecloud".
	API string
	// ClientID and ClientSecret of the app (developer console).
	ClientID     string
	ClientSecret string
	// Port of the callback http://localhost:PORT. Default 13131; 0 picks a
	// free port (tests).
	Port int
	// Scopes requested. Default DefaultScopes; offline_access is added
	// when missing.
	Scopes []string
	// NoBrowser prints the URL instead of opening a browser.
	NoBrowser bool
	// AuthURL and TokenURL default to Atlassian's.
	AuthURL, TokenURL string
	// APIURL is the API gateway whose accessible-resources names the sites
	// the grant reaches. Default DefaultAPIURL.
	APIURL string
	// Timeout bounds the wait for the callback. Default 5 minutes.
	Timeout time.Duration
	// OpenBrowser opens url in a browser. Default: xdg-open, open or
	// rundll32 depending on the system. Tests play the browser here.
	OpenBrowser func(url string) error
	// HTTPClient for the token exchange. Default http.DefaultClient with a
	// 30 s timeout.
	HTTPClient *http.Client
	// Stdout receives the tokens and the configuration snippet; Stderr the
	// instructions. Default io.Discard.
	Stdout, Stderr io.Writer
}

// Tokens is the result of a successful run.
type Tokens struct {
	AccessToken  string
	RefreshToken string // "" when the grant has no offline_access
	Scope        string
	Expiry       time.Time
}

func (o Options) withDefaults() Options {
	if o.AuthURL == "" {
		o.AuthURL = DefaultAuthURL
	}
	if o.TokenURL == "" {
		o.TokenURL = DefaultTokenURL
	}
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if len(o.Scopes) == 0 {
		o.Scopes = slices.Clone(DefaultScopes)
	}
	if !slices.Contains(o.Scopes, "offline_access") {
		o.Scopes = append(slices.Clone(o.Scopes), "offline_access")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.OpenBrowser == nil {
		o.OpenBrowser = openBrowser
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	return o
}

// Validate reports a missing or wrong option.
func (o Options) Validate() error {
	switch {
	case o.API != APIConfluenceCloud:
		return fmt.Errorf("--api %q: only %q is supported", o.API, APIConfluenceCloud)
	case o.ClientID == "":
		return errors.New("-i CLIENT_ID is required")
	case o.ClientSecret == "":
		return errors.New("the client secret is required: $CONFLUX_CLIENT_SECRET, --secret-file F, -s - (standard input) or -s SECRET")
	case o.Port < 0 || o.Port > 65535:
		return fmt.Errorf("--port %d: not a port", o.Port)
	}
	return nil
}

// oauthConfig is the x/oauth2 client for a callback URL.
func (o Options) oauthConfig(redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		Endpoint:    oauth2.Endpoint{AuthURL: o.AuthURL, TokenURL: o.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: redirectURI, Scopes: o.Scopes,
	}
}

// AuthorizationURL returns the consent URL for a callback URL and state:
// audience=api.atlassian.com, client_id, scope, redirect_uri, state,
// response_type=code and prompt=consent.
func AuthorizationURL(o Options, redirectURI, state string) string {
	o = o.withDefaults()
	return o.oauthConfig(redirectURI).AuthCodeURL(state,
		oauth2.SetAuthURLParam("audience", "api.atlassian.com"),
		oauth2.SetAuthURLParam("prompt", "consent"))
}

// Run performs the whole authorization: listen, send the browser, wait for
// the callback, exchange the code, print the result. It returns when the
// tokens are printed, on an error, or when ctx is done.
func Run(ctx context.Context, o Options) (Tokens, error) {
	if err := o.Validate(); err != nil {
		return Tokens{}, err
	}
	o = o.withDefaults()
	ln, err := listen(o.Port)
	if err != nil {
		return Tokens{}, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	redirect := fmt.Sprintf("http://localhost:%d", port)
	state := randomState()
	cb := newCallback(o.oauthConfig(redirect), o.HTTPClient, state)
	srv := &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer shutdown(srv)

	authURL := AuthorizationURL(o, redirect, state)
	o.showURL(authURL)

	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var res callbackResult
	select {
	case res = <-cb.done:
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Tokens{}, fmt.Errorf("%w after %s: was the consent finished in the browser, and is %s a callback URL of the app?", ErrTimeout, o.Timeout, redirect)
		}
		return Tokens{}, fmt.Errorf("interrupted before the browser came back: %w", ctx.Err())
	}
	if res.err != nil {
		return Tokens{}, res.err
	}
	var sites []site
	if res.tokens.RefreshToken != "" {
		var err error
		if sites, err = o.sites(ctx, res.tokens.AccessToken); err != nil {
			fmt.Fprintf(o.Stderr, "warning: %v; set site: in conflux.yaml by hand\n", err)
		}
	}
	printTokens(o, res.tokens, sites)
	return res.tokens, nil
}

func listen(port int) (net.Listener, error) {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%w: 127.0.0.1:%d is taken by another program; stop it or choose another port with --port (and add http://localhost:PORT as a callback URL of the app)", ErrPortInUse, port)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1:%d: %w", port, err)
	}
	return ln, nil
}

func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}

// showURL opens the browser, or prints the URL when it cannot.
func (o Options) showURL(authURL string) {
	if !o.NoBrowser {
		if err := o.OpenBrowser(authURL); err == nil {
			fmt.Fprintf(o.Stderr, "Opened a browser for the consent. If none appeared, open this URL:\n\n  %s\n\nWaiting for the callback...\n", authURL)
			return
		}
	}
	fmt.Fprintf(o.Stderr, "Open this URL in a browser and accept the consent:\n\n  %s\n\nWaiting for the callback...\n", authURL)
}

func randomState() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}
