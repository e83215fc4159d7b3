package confluence_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/pkg/confluencesim"
)

// Example lists the global spaces of a site and the root pages of one of
// them. Against Confluence Cloud, use the site URL and a real API token;
// here the simulator's demo tenant stands in for the site.
func Example() {
	sim, err := confluencesim.Start(confluencesim.Demo(), confluencesim.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()

	client, err := confluence.New(confluence.Options{
		Credentials: confluence.BasicAuth(sim.URL(), "demo@example.com", "demo-token"),
		Timeout:     10 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Iterators fetch one page of results at a time; an error ends them.
	var eng confluence.Space
	for space, err := range client.Spaces(ctx, confluence.SpaceQuery{Type: "global", Status: "current"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(space.Key, space.Name)
		if space.Key == "ENG" {
			eng = space
		}
	}
	for page, err := range client.SpacePages(ctx, eng.ID, confluence.ListQuery{Depth: "root", BodyFormat: confluence.BodyNone}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("root page:", page.Title)
	}
	// Output:
	// ENG Engineering
	// PUB Public Docs
	// HR People
	// root page: Engineering Home
}
