package tokenfetcher

import (
	"fmt"
	"strconv"
	"time"
)

// printTokens writes the tokens and the conflux.yaml snippet to Stdout.
// This is the one place that shows a token: it is what the operator ran
// the command for. The client secret is never printed; the snippet takes
// it from the environment.
func printTokens(o Options, t Tokens) {
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
	fmt.Fprintf(w, "auth:\n  mode: oauth2\n  oauth2:\n")
	fmt.Fprintf(w, "    client_id: %s\n", strconv.Quote(o.ClientID))
	fmt.Fprintf(w, "    client_secret: ${CONFLUX_CLIENT_SECRET}\n")
	fmt.Fprintf(w, "    refresh_token: %s\n", strconv.Quote(t.RefreshToken))
	if o.AuthURL != DefaultAuthURL {
		fmt.Fprintf(w, "    auth_url: %s\n", strconv.Quote(o.AuthURL))
	}
	if o.TokenURL != DefaultTokenURL {
		fmt.Fprintf(w, "    token_url: %s\n", strconv.Quote(o.TokenURL))
	}
}
