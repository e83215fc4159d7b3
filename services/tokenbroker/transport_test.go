package tokenbroker_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/tokens"
	"github.com/conflux-dev/conflux/services/tokenbroker"
)

// TestRefusesUnauthenticatedNATS: token.get's replies are credentials, so
// the broker does not serve them on a NATS server that anyone may reach
// without credentials, unless nats.insecure_allow_unauthenticated says
// this is a local test; on a server that requires a token it serves.
func TestRefusesUnauthenticatedNATS(t *testing.T) {
	cfg := config.Default()
	cfg.Site = "https://acme.atlassian.net"
	cfg.Auth.Mode = config.AuthAPIToken
	cfg.Auth.Email = "crawler@acme.com"
	cfg.Auth.APIToken = "api-token-secret"
	open := startServer(t, "")
	guarded := startServer(t, "nats-token-secret")

	cases := []struct {
		name     string
		url      string
		opts     []nats.Option
		insecure bool
		refuse   bool
	}{
		{name: "open server", url: open.ClientURL(), refuse: true},
		{name: "open server, insecure allowed", url: open.ClientURL(), insecure: true},
		{name: "server requiring a token", url: guarded.ClientURL(), opts: []nats.Option{nats.Token("nats-token-secret")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nc, err := nats.Connect(c.url, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			js, err := jetstream.New(nc)
			if err != nil {
				t.Fatal(err)
			}
			cfg := cfg
			cfg.NATS.InsecureAllowUnauthenticated = c.insecure
			logs := &logSink{}
			svc, err := tokenbroker.New(tokenbroker.Deps{NC: nc, JS: js, Config: cfg, Logger: logs.logger()})
			if c.refuse {
				if !errors.Is(err, tokenbroker.ErrUnauthenticatedNATS) || !strings.Contains(err.Error(), "insecure_allow_unauthenticated") {
					t.Fatalf("New on an open server: %v, want %v naming the setting", err, tokenbroker.ErrUnauthenticatedNATS)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- svc.Run(ctx) }()
			defer func() { cancel(); <-done }()
			rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer rcancel()
			cred, err := tokens.NewBrokerCredentials(nc, cfg.Site).Credential(rctx)
			if err != nil || !strings.HasPrefix(cred.Authorization, "Basic ") {
				t.Fatalf("token.get: %v %v", cred.BaseURL, err)
			}
			if warned := logs.contains("insecure_allow_unauthenticated"); warned != c.insecure {
				t.Errorf("warning logged: %v, want %v", warned, c.insecure)
			}
		})
	}
}

func startServer(t *testing.T, token string) interface{ ClientURL() string } {
	t.Helper()
	s, err := bus.StartEmbedded(bus.EmbeddedOptions{DataDir: t.TempDir(), Token: token}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}
