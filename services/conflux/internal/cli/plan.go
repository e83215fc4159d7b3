package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/conflux-dev/conflux/pkg/config"
	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/services/conflux/internal/app"
)

// planCmd is `conflux plan`: a dry run that counts, per space, what a full
// crawl under the configured rules would index and what it would cost,
// without writing anything. With auth.mode api_token it calls Confluence
// directly (no NATS); with oauth2 it asks the token broker over NATS.
type planCmd struct {
	JSON bool    `name:"json" help:"Print the plan as JSON."`
	Rate float64 `help:"Requests per second assumed for the crawl's duration (default: crawl.requests_per_second, or 10 when that is 0)."`
}

func (p *planCmd) Run(g *Globals) error {
	cfg, log, err := g.load()
	if err != nil {
		return err
	}
	if p.Rate == 0 {
		p.Rate = cfg.Crawl.RequestsPerSecond
	}
	if p.Rate == 0 {
		p.Rate = 10
	}
	if p.Rate < 0 {
		return &configError{fmt.Errorf("--rate %v is not positive", p.Rate)}
	}
	ctx, stop := signalContext()
	defer stop()
	if cfg.Auth.Mode == config.AuthAPIToken {
		c, err := confluence.New(confluence.Options{Logger: log,
			Credentials: confluence.BasicAuth(cfg.Site, cfg.Auth.Email, cfg.Auth.APIToken.Reveal())})
		if err != nil {
			return err
		}
		return p.show(ctx, c, cfg)
	}
	return withApp(g, anyBus, func(ctx context.Context, a *app.App) error {
		c, err := a.Client(ctx)
		if err != nil {
			return err
		}
		return p.show(ctx, c, cfg)
	})
}

func (p *planCmd) show(ctx context.Context, c *confluence.Client, cfg config.Config) error {
	plan, err := app.MakePlan(ctx, c, cfg, p.Rate)
	if err != nil {
		return err
	}
	if p.JSON {
		enc := json.NewEncoder(Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	printPlan(Stdout, plan)
	return nil
}

func printPlan(w io.Writer, plan app.Plan) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "space\ttype\tpages\tblog posts\tfolders\tcomments\tattachments\tbytes\t")
	row := func(name, typ string, c app.Counts) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", name, typ, c.Pages, c.BlogPosts, c.Folders, c.Comments, c.Attachments, c.Bytes)
	}
	for _, s := range plan.Spaces {
		row(s.Key, s.Type, s.Counts)
	}
	row("total", "", plan.Total)
	_ = tw.Flush()
	fmt.Fprintf(w, "\n%d documents in %d spaces\n", plan.Total.Documents(), len(plan.Spaces))
	fmt.Fprintf(w, "a full crawl: about %d API calls + %d attachment downloads, %s at %g requests/s\n",
		plan.Calls, plan.Downloads, plan.Duration.Round(time.Second), plan.Rate)
	fmt.Fprintf(w, "this plan: about %d API calls\n", plan.PlanCalls)
	if len(plan.Unmatched) == 0 {
		fmt.Fprintln(w, "every rule matched something")
		return
	}
	fmt.Fprintln(w, "rules that matched nothing:")
	for _, u := range plan.Unmatched {
		fmt.Fprintln(w, "  "+u)
	}
}
