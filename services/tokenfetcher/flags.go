package tokenfetcher

import (
	"errors"
	"flag"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/conflux-dev/conflux/pkg/buildinfo"
)

// cmdline is the command line of oauth2-tokenfetcher (kong).
type cmdline struct {
	API          string           `name:"api" help:"API to authorize; only \"confluencecloud\"."`
	ClientID     string           `short:"i" name:"client-id" help:"Client id of the app (developer console)."`
	ClientSecret string           `short:"s" name:"client-secret" help:"Client secret of the app; \"-\" reads it from standard input (default $$CONFLUX_CLIENT_SECRET)."`
	SecretFile   string           `name:"secret-file" help:"Read the client secret from the first line of this file."`
	Port         int              `default:"${port}" help:"Port of the callback http://localhost:PORT (must be a callback URL of the app)."`
	Scopes       string           `help:"Scopes, separated by spaces or commas (default: the crawler's read scopes); offline_access is always added."`
	NoBrowser    bool             `help:"Print the authorization URL instead of opening a browser."`
	AuthURL      string           `name:"auth-url" default:"${auth_url}" help:"Authorization endpoint."`
	TokenURL     string           `name:"token-url" default:"${token_url}" help:"Token endpoint."`
	APIURL       string           `name:"api-url" default:"${api_url}" help:"API gateway (accessible-resources; auth.oauth2.api_url)."`
	Timeout      time.Duration    `default:"${timeout}" help:"How long to wait for the browser to come back."`
	Version      kong.VersionFlag `help:"Print the version and exit."`
}

// errExit is kong's exit (--help, --version).
var errExit = errors.New("exit")

// ParseArgs reads the command line (without the program name) with kong,
// like every conflux binary. The client secret need never be on the
// command line: "-s -" reads it from stdin, --secret-file from a file,
// and without either getenv supplies CONFLUX_CLIENT_SECRET (nil means no
// environment). It returns flag.ErrHelp after printing --help or
// --version to stderr.
func ParseArgs(args []string, getenv func(string) string, stdin io.Reader, stderr io.Writer) (Options, error) {
	var c cmdline
	if err := parseCmdline(&c, args, stderr); err != nil {
		return Options{}, err
	}
	src := secretSources{flag: c.ClientSecret, file: c.SecretFile, getenv: getenv, stdin: stdin}
	secret, err := src.resolve()
	if err != nil {
		return Options{}, err
	}
	o := Options{API: c.API, ClientID: c.ClientID, ClientSecret: secret, Port: c.Port, NoBrowser: c.NoBrowser,
		AuthURL: c.AuthURL, TokenURL: c.TokenURL, APIURL: c.APIURL, Timeout: c.Timeout}
	if c.Scopes != "" {
		o.Scopes = strings.Fields(strings.ReplaceAll(c.Scopes, ",", " "))
	}
	return o, o.Validate()
}

func parseCmdline(c *cmdline, args []string, stderr io.Writer) (err error) {
	p, err := kong.New(c, kong.Name("oauth2-tokenfetcher"),
		kong.Description("Authorize conflux as an OAuth 2.0 (3LO) app of Confluence Cloud and print the refresh token."),
		kong.Writers(stderr, stderr), kong.Exit(func(int) { panic(errExit) }),
		kong.Vars{"version": buildinfo.Version(), "port": strconv.Itoa(DefaultPort), "auth_url": DefaultAuthURL,
			"token_url": DefaultTokenURL, "api_url": DefaultAPIURL, "timeout": DefaultTimeout.String()})
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			if r != errExit {
				panic(r)
			}
			err = flag.ErrHelp
		}
	}()
	_, err = p.Parse(args)
	return err
}
