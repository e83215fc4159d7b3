package tokenfetcher

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// printTokens writes the tokens and a complete conflux.yaml for them to
// Stdout: the site the grant reaches (from accessible-resources) and every
// endpoint used, so that the broker calls the same ones. This is the one
// place that shows a token: it is what the operator ran the command for.
// The client secret is never printed; the configuration takes it from the
// environment.
func printTokens(o Options, t Tokens, sites []site) {
	w := o.Stdout
	fmt.Fprintf(w, "access_token:  %s\n", t.AccessToken)
	if !t.Expiry.IsZero() {
		fmt.Fprintf(w, "expires_at:    %s (in %s)\n", t.Expiry.Format(time.RFC3339), time.Until(t.Expiry).Round(time.Second))
	}
	fmt.Fprintf(w, "scope:         %s\n", t.Scope)
	if t.RefreshToken == "" {
		fmt.Fprintf(w, "refresh_token: (none: the grant lacks offline_access; the broker cannot run without one)\n")
		return
	}
	fmt.Fprintf(w, "refresh_token: %s\n\n", t.RefreshToken)
	fmt.Fprintf(w, "# conflux.yaml (the token broker keeps the rotated refresh tokens from here on)\n")
	printSite(w, sites)
	fmt.Fprintf(w, "auth:\n  mode: oauth2\n  oauth2:\n")
	fmt.Fprintf(w, "    client_id: %s\n", strconv.Quote(o.ClientID))
	fmt.Fprintf(w, "    client_secret: ${%s}\n", SecretEnv)
	fmt.Fprintf(w, "    refresh_token: %s\n", strconv.Quote(t.RefreshToken))
	fmt.Fprintf(w, "    auth_url: %s\n", strconv.Quote(o.AuthURL))
	fmt.Fprintf(w, "    token_url: %s\n", strconv.Quote(o.TokenURL))
	fmt.Fprintf(w, "    api_url: %s\n", strconv.Quote(o.APIURL))
}

// printSite writes the site: line, the first site of the grant, the
// others as comments.
func printSite(w io.Writer, sites []site) {
	if len(sites) == 0 {
		fmt.Fprintf(w, "site: \"\"   # the grant reaches no site that could be listed: set your site's URL\n")
		return
	}
	fmt.Fprintf(w, "site: %s\n", strconv.Quote(sites[0].URL))
	for _, s := range sites[1:] {
		fmt.Fprintf(w, "# site: %s   (the grant also reaches %s)\n", strconv.Quote(s.URL), s.Name)
	}
}
