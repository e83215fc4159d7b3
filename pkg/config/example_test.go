package config_test

import (
	"fmt"

	"github.com/conflux-dev/conflux/pkg/config"
)

func ExampleParse() {
	file := []byte(`site: https://acme.atlassian.net
auth:
  email: crawler@acme.com
  api_token: ${TOKEN}
`)
	env := map[string]string{"TOKEN": "t0ps3cret", "CONFLUX_SPACES_INCLUDE": "ENG,OPS"}
	c, err := config.Parse(file, "conflux.yaml", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.SiteHost(), c.Spaces.Include, c.Auth.APIToken, c.Content.Attachments.MaxSize, c.Crawl.FullEvery)

	_, err = config.Parse([]byte("site: https://acme.atlassian.net\nauth:\n  emial: x@y.z\n"), "conflux.yaml", nil)
	fmt.Println(err)
	// Output:
	// acme.atlassian.net [ENG OPS] [redacted] 100MB 24h0m0s
	// conflux.yaml:3: unknown key auth.emial (did you mean auth.email?)
}
