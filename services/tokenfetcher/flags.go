package tokenfetcher

import (
	"flag"
	"io"
	"strings"
)

// ParseArgs reads the command line (without the program name) with the
// standard flag package; both -x and --x spellings work. The client
// secret need never be on the command line: "-s -" reads it from stdin,
// --secret-file from a file, and without either getenv supplies
// CONFLUX_CLIENT_SECRET (nil means no environment). It returns
// flag.ErrHelp for -h.
func ParseArgs(args []string, getenv func(string) string, stdin io.Reader, stderr io.Writer) (Options, error) {
	var o Options
	src := secretSources{getenv: getenv, stdin: stdin}
	fs := flag.NewFlagSet("oauth2-tokenfetcher", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.API, "api", "", `API to authorize; only "confluencecloud"`)
	fs.StringVar(&o.ClientID, "i", "", "client id of the app (developer console)")
	fs.StringVar(&o.ClientID, "client-id", "", "same as -i")
	fs.StringVar(&src.flag, "s", "", `client secret of the app; "-" reads it from standard input (default $CONFLUX_CLIENT_SECRET)`)
	fs.StringVar(&src.flag, "client-secret", "", "same as -s")
	fs.StringVar(&src.file, "secret-file", "", "read the client secret from the first line of this file")
	fs.IntVar(&o.Port, "port", DefaultPort, "port of the callback http://localhost:PORT (must be a callback URL of the app)")
	scopes := fs.String("scopes", "", "scopes, separated by spaces or commas (default: the crawler's read scopes); offline_access is always added")
	fs.BoolVar(&o.NoBrowser, "no-browser", false, "print the authorization URL instead of opening a browser")
	fs.StringVar(&o.AuthURL, "auth-url", DefaultAuthURL, "authorization endpoint")
	fs.StringVar(&o.TokenURL, "token-url", DefaultTokenURL, "token endpoint")
	fs.StringVar(&o.APIURL, "api-url", DefaultAPIURL, "API gateway (accessible-resources; auth.oauth2.api_url)")
	fs.DurationVar(&o.Timeout, "timeout", DefaultTimeout, "how long to wait for the browser to come back")
	fs.Usage = func() {
		io.WriteString(stderr, "usage: oauth2-tokenfetcher --api confluencecloud -i CLIENT_ID [-s SECRET | -s - | --secret-file F] [--port 13131] [--scopes ...] [--no-browser] [--auth-url URL] [--token-url URL] [--api-url URL]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Options{}, err
	}
	secret, err := src.resolve()
	if err != nil {
		return Options{}, err
	}
	o.ClientSecret = secret
	if *scopes != "" {
		o.Scopes = strings.Fields(strings.ReplaceAll(*scopes, ",", " "))
	}
	return o, o.Validate()
}
