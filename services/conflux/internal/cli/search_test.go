package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/proto"
	"github.com/conflux-dev/conflux/services/sink/pgsink"
	"github.com/conflux-dev/conflux/services/sink/pgsink/pgtest"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

func TestSearchAsUser(t *testing.T) {
	dsn := pgtest.DSN(t)
	pg, err := pgsink.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	doc := func(id, title string, acl proto.ACL) sinkport.Item {
		return sinkport.Item{Doc: proto.Document{ID: id, Type: "page", SpaceKey: "ENG", Title: title, Version: 1,
			URL: "https://acme.atlassian.net/wiki/spaces/ENG/pages/" + id, BodyText: "Restart the deployment with care.", ACL: acl}}
	}
	if err := pg.Upsert(t.Context(), []sinkport.Item{
		doc("1", "Public runbook", proto.ACL{Public: true}),
		doc("2", "Ann's runbook", proto.ACL{Users: []string{"ann@acme.com"}}),
		doc("3", "Secret runbook", proto.ACL{Groups: []string{"g-sec"}}),
	}); err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, `site: https://acme.atlassian.net
auth:
  email: a@b.c
  api_token: x
sink:
  type: postgres
  dsn: ${PG_DSN}
`)
	t.Setenv("PG_DSN", dsn)
	var out bytes.Buffer
	Stdout = &out
	defer func() { Stdout = os.Stdout }()
	var code int
	stderr := captureStderr(t, func() {
		code = Main([]string{"search", "--as", "Ann@acme.com", "--config", path, "restart", "deployment"})
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := out.String()
	for _, want := range []string{"Public runbook  [ENG]", "Ann's runbook  [ENG]", "/pages/2", "[Restart]"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Secret") {
		t.Errorf("a document Ann may not read was shown:\n%s", got)
	}
}

func TestSearchNeedsPostgres(t *testing.T) {
	path := writeConfig(t, "site: https://acme.atlassian.net\nauth:\n  email: a@b.c\n  api_token: x\n")
	var code int
	stderr := captureStderr(t, func() { code = Main([]string{"search", "--as", "a@b.c", "--config", path, "x"}) })
	if code != 2 || !strings.Contains(stderr, "sink.type: postgres") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
