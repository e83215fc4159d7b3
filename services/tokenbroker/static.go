package tokenbroker

import (
	"context"

	"github.com/nats-io/nats.go/micro"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/tokens"
)

// staticCredential is API-token mode: the Basic credential of the
// configured account, handed out like an access token so that no worker
// needs the secret in its own configuration.
type staticCredential struct{ reply tokens.Reply }

func newStaticCredential(site, email, apiToken string) *staticCredential {
	c, _ := confluence.BasicAuth(site, email, apiToken).Credential(context.Background())
	return &staticCredential{reply: tokens.Reply{Authorization: c.Authorization, BaseURL: site}}
}

// handle answers get and invalidate alike: an API token cannot be
// refreshed, so a rejected one is answered unchanged.
func (c *staticCredential) handle(req micro.Request) { _ = req.RespondJSON(c.reply) }

// runStatic serves the Basic credential until ctx is done.
func (s *Service) runStatic(ctx context.Context) error {
	svc, err := s.serve()
	if err != nil {
		return err
	}
	health := s.startHealth()
	s.log.Info("token broker started", "mode", config.AuthAPIToken, "site", s.d.Config.Site, "subject", s.sub.TokenGet())
	<-ctx.Done()
	_ = svc.Stop()
	stopHealth(health)
	s.log.Info("token broker stopped")
	return nil
}
