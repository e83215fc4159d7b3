package tokenbroker_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/natstest"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

func TestPrintingRedacts(t *testing.T) {
	st := tokenbroker.State{RefreshToken: "rt-secret-value", AccessToken: "at-secret-value", Expiry: time.Now()}
	nc, js := natstest.Connect(t, natstest.Start(t))
	cfg := config.Default()
	cfg.Site = "https://acme.atlassian.net"
	cfg.Auth.Mode = config.AuthOAuth2
	cfg.Auth.OAuth2.ClientID = "id"
	cfg.Auth.OAuth2.ClientSecret = "cs-secret-value"
	cfg.NATS.InsecureAllowUnauthenticated = true
	svc, err := tokenbroker.New(tokenbroker.Deps{NC: nc, JS: js, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "state", st, "svc", svc)
	for _, out := range []string{fmt.Sprint(st), fmt.Sprintf("%+v %#v", st, st), fmt.Sprint(svc), fmt.Sprintf("%+v %#v", svc, svc), logged.String()} {
		for _, secret := range []string{"rt-secret-value", "at-secret-value", "cs-secret-value"} {
			if strings.Contains(out, secret) {
				t.Fatalf("%q printed in %s", secret, out)
			}
		}
	}
}
