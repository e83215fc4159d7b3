package tokens_test

import (
	"context"
	"errors"
	"log"

	"github.com/nats-io/nats.go"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/tokens"
)

// A stage builds its Confluence client on the broker's credentials; it
// never sees a secret of its own.
func ExampleNewBrokerCredentials() {
	nc, err := nats.Connect(nats.DefaultURL)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	client, err := confluence.New(confluence.Options{
		Credentials: tokens.NewBrokerCredentials(nc, "https://acme.atlassian.net"),
	})
	if err != nil {
		log.Fatal(err)
	}
	for space, err := range client.Spaces(context.Background(), confluence.SpaceQuery{}) {
		if errors.Is(err, tokens.ErrReauthorizationNeeded) {
			log.Print("paused: run oauth2-tokenfetcher and update conflux.yaml")
			return
		}
		if err != nil {
			log.Fatal(err)
		}
		log.Print(space.Key)
	}
}
