package config

import (
	"strings"
	"testing"
)

func TestSinksList(t *testing.T) {
	const base = "site: https://acme.atlassian.net\nauth:\n  email: a@b.c\n  api_token: t\n"
	c, err := Parse([]byte(base+`sinks:
  - name: files
    dir: ./out2
  - name: search
    type: opensearch
    urls: [https://search:9200]
    username: conflux
    password: ${OS_PASSWORD}
`), "conflux.yaml", envOf(map[string]string{"OS_PASSWORD": "hunter2"}))
	if err != nil {
		t.Fatal(err)
	}
	list := c.SinkList()
	if len(list) != 2 || list[0].Name != "files" || list[0].Type != SinkFiles || list[0].Dir != "./out2" ||
		list[1].Index != "conflux" || list[1].Password.Reveal() != "hunter2" || list[1].FileMode != 0o600 {
		t.Fatalf("sinks: %+v", list)
	}
	one, err := Parse([]byte(base), "conflux.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if l := one.SinkList(); len(l) != 1 || l[0].Name != DefaultSinkName {
		t.Fatalf("sink alone: %+v", l)
	}
	env, err := Parse([]byte(base), "conflux.yaml", envOf(map[string]string{
		"CONFLUX_SINKS": `[{name: pg, type: postgres, dsn: "postgres://x@h/db"}]`}))
	if err != nil {
		t.Fatal(err)
	}
	if l := env.SinkList(); len(l) != 1 || l[0].Name != "pg" || l[0].DSN.Reveal() != "postgres://x@h/db" {
		t.Fatalf("CONFLUX_SINKS: %+v", l)
	}
}

func TestSinksErrors(t *testing.T) {
	const base = "site: https://acme.atlassian.net\nauth:\n  email: a@b.c\n  api_token: t\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"duplicate name", "sinks:\n  - {name: a, dir: x}\n  - {name: a, dir: y}\n", `conflux.yaml:7: sinks[1].name: "a" names two sinks`},
		{"no name", "sinks:\n  - {dir: x}\n", `conflux.yaml:6: sinks[0].name: "" is not a sink name`},
		{"bad name", "sinks:\n  - {name: a.b, dir: x}\n", `sinks[0].name: "a.b" is not a sink name`},
		{"both", "sink:\n  dir: x\nsinks:\n  - {name: a, dir: x}\n", "sinks: set either sink or sinks, not both"},
		{"unknown key", "sinks:\n  - {name: a, dri: x}\n", "conflux.yaml:6: unknown key sinks[0].dri (did you mean sinks[0].dir?)"},
		{"search without urls", "sinks:\n  - {name: s, type: elasticsearch}\n", "sinks[0].urls: required when sinks[0].type is elasticsearch"},
		{"opensearch api key", "sink:\n  type: opensearch\n  urls: [http://h:9200]\n  api_key: k\n", "sink.api_key: is for elasticsearch"},
		{"bad index", "sink:\n  type: opensearch\n  urls: [http://h:9200]\n  index: Big Index\n", `sink.index: "Big Index" is not an index name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(base+tc.yaml), "conflux.yaml", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "hunter") {
				t.Fatal("secret in error")
			}
		})
	}
}
