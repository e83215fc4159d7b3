package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/conflux-dev/conflux/pkg/audit"
	"github.com/conflux-dev/conflux/proto"
)

// AuditStages are the stages an audit needs running to re-resolve an
// over-grant: credentials, the permission resolver and the sink.
var AuditStages = []string{proto.StageTokenBroker, proto.StagePermissions, proto.StageSink}

// Audit checks sample documents' ACLs against Confluence's permission
// check (package audit) with the audit.* settings, through the process's
// Confluence client (the stages' credentials, retries, rate budget and
// cluster-wide back-off). Over-grants are re-resolved by the permission
// resolver, which must be running. OnAudit, when set, receives the report.
func (a *App) Audit(ctx context.Context, sample int) (audit.Report, error) {
	client, err := a.Client(ctx)
	if err != nil {
		return audit.Report{}, err
	}
	c := a.Config.Audit
	au, err := audit.New(a.JS, client, audit.Options{
		Site: a.Config.Site, Sample: sample, MaxCalls: c.MaxCalls, MaxCallsPerHour: c.MaxCallsPerHour, Seed: c.Seed,
		Reresolver: audit.BusReresolver{JS: a.JS, Site: a.Config.Site, Paths: client},
		OnReport: func(r audit.Report) {
			a.Metrics.Audited(r.Checks, r.Over, r.Under, r.Fixed, r.Calls)
			if a.OnAudit != nil {
				a.OnAudit(r)
			}
		},
		Logger: a.Log,
	})
	if err != nil {
		return audit.Report{}, err
	}
	return au.Run(ctx)
}

// AuditAfterCrawl runs the audit that follows a crawl when audit.sample is set
// and the crawl's listings were complete, and prints its summary line.
// It returns false once Confluence refused the audit (not an
// administrator): the caller stops auditing.
func (a *App) AuditAfterCrawl(ctx context.Context, w io.Writer, f proto.CrawlFinished) bool {
	if a.Config.Audit.Sample <= 0 || f.Partial || f.CredentialsRefused {
		return true
	}
	rep, err := a.Audit(ctx, a.Config.Audit.Sample)
	fmt.Fprintln(w, rep.Summary())
	if err != nil && !errors.Is(err, audit.ErrNotAdmin) {
		fmt.Fprintln(w, "audit failed:", err)
	}
	return !errors.Is(err, audit.ErrNotAdmin)
}
