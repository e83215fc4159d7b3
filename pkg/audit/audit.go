// Package audit proves the ACLs conflux wrote: it samples documents from
// the documents stream and accounts the crawl knows, asks Confluence's own
// permission check (POST /wiki/rest/api/content/{id}/permission/check)
// whether each account may read each document, and compares the answer
// with the written ACL. conflux allowing what Confluence denies is an
// over-grant, the reverse an under-grant.
//
// The sample leans to where errors hide: restricted items and their
// descendants, items under two levels of restrictions, comments and
// attachments of restricted pages, ACLs that list groups, accounts whose
// email came from the users CSV and public (anonymous) spaces, plus a
// uniform share. It is deterministic for a seed.
//
// Every check is one Confluence call through the same client as the crawl;
// an audit makes at most Options.MaxCalls of them, and all audits together
// at most Options.MaxCallsPerHour within any hour (recorded in the progress
// bucket, with the last audit's result, under RecordKey).
//
// An over-grant is re-resolved at once (Options.Reresolver: the document's
// ACL recomputed from fresh Confluence data and published again), then
// checked again. Checking another account needs the 'Confluence
// Administrator' global permission: without it Confluence answers 403, and
// the audit says so once and returns ErrNotAdmin. The package depends on
// no sink.
package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/confluence"
	"github.com/conflux-dev/conflux/proto"
)

// ErrNotAdmin says the audit cannot run: Confluence refuses permission
// checks about other accounts to the crawler account.
var ErrNotAdmin = errors.New("audit off: the crawler account lacks the 'Confluence Administrator' global permission, which Confluence requires to check another user's permissions (POST /wiki/rest/api/content/{id}/permission/check answered 403); grant it to audit ACLs")

// ErrMismatch says an audit found mismatches (Report lists them).
var ErrMismatch = errors.New("audit found ACL mismatches")

// Checker asks Confluence's permission check (pkg/confluence's Client).
type Checker interface {
	CheckPermission(ctx context.Context, contentID string, s confluence.Subject, operation string) (confluence.PermissionCheck, error)
}

// Reresolver recomputes a document's ACL from fresh Confluence data,
// publishes it, and returns the document the documents stream then holds,
// with the Confluence calls it made itself. crawlID is one per audit.
type Reresolver interface {
	Reresolve(ctx context.Context, crawlID string, doc *proto.DocumentReady) (*proto.DocumentReady, int, error)
}

// Options configure an audit.
type Options struct {
	// Site is the configured site URL. Required.
	Site string
	// Sample is the number of documents checked. Required (> 0).
	Sample int
	// MaxCalls caps the Confluence calls of one audit. Default 200.
	MaxCalls int
	// MaxCallsPerHour caps the calls of all audits within any hour.
	// Default 1000.
	MaxCallsPerHour int
	// Seed makes the sample repeatable; 0 draws from the clock.
	Seed int64
	// Reresolver re-resolves over-grants; nil reports them only.
	Reresolver Reresolver
	// OnReport receives every finished report (the metrics hook).
	OnReport func(Report)
	// Logger receives one line per mismatch and one per audit. Default
	// slog.Default().
	Logger *slog.Logger
}

// maxPerDocument bounds the accounts checked on one document.
const maxPerDocument = 4

// Auditor runs audits of one site.
type Auditor struct {
	js    jetstream.JetStream
	check Checker
	o     Options
	log   *slog.Logger
}

// New returns an Auditor reading the documents stream and buckets through
// js and asking check.
func New(js jetstream.JetStream, check Checker, o Options) (*Auditor, error) {
	if o.Site == "" || o.Sample <= 0 {
		return nil, fmt.Errorf("audit: Site and a positive Sample are required (sample %d)", o.Sample)
	}
	if o.MaxCalls <= 0 {
		o.MaxCalls = 200
	}
	if o.MaxCallsPerHour <= 0 {
		o.MaxCallsPerHour = 1000
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Auditor{js: js, check: check, o: o, log: o.Logger.With("stage", "audit")}, nil
}

// Run audits once and returns the report. The error is ErrNotAdmin when
// Confluence refuses the checks (the report says so in Skipped), or the
// failure that stopped the audit (the report has what was done).
func (a *Auditor) Run(ctx context.Context) (Report, error) {
	started := time.Now()
	rep := Report{Started: started, BySample: map[string]Tally{}, BySubject: map[string]Tally{}}
	kv, err := a.js.KeyValue(ctx, proto.BucketProgress)
	if err != nil {
		return rep, fmt.Errorf("audit: open progress bucket: %w", err)
	}
	rec, _, err := readRecord(ctx, kv)
	if err != nil {
		return rep, fmt.Errorf("audit: %w", err)
	}
	rep.Budget = max(0, min(a.o.MaxCalls, a.o.MaxCallsPerHour-rec.spentSince(started.Add(-time.Hour))))
	r := &run{a: a, rep: &rep, rng: a.rng(started)}
	err = r.audit(ctx)
	rep.Finished = time.Now()
	return a.finish(ctx, kv, rec, rep, err)
}

func (a *Auditor) rng(now time.Time) *rand.Rand {
	seed := uint64(a.o.Seed)
	if seed == 0 {
		seed = uint64(now.UnixNano())
	}
	return rand.New(rand.NewPCG(seed, 0x636f6e666c7578))
}

// finish records the audit, logs it and hands the report to OnReport.
func (a *Auditor) finish(ctx context.Context, kv kvStore, prev Record, rep Report, err error) (Report, error) {
	rec := Record{At: rep.Finished, Documents: rep.Documents, Checks: rep.Checks, Over: rep.Over, Under: rep.Under,
		Fixed: rep.Fixed, Calls: rep.Calls, Skipped: rep.Skipped}
	for _, s := range prev.Spent {
		if s.At.After(rep.Finished.Add(-time.Hour)) {
			rec.Spent = append(rec.Spent, s)
		}
	}
	rec.Spent = append(rec.Spent, Spend{At: rep.Finished, Calls: rep.Calls})
	switch {
	case errors.Is(err, ErrNotAdmin):
		rec.Off, rep.Skipped = ErrNotAdmin.Error(), ErrNotAdmin.Error()
		a.log.Error("audit off", "reason", ErrNotAdmin.Error(), "calls", rep.Calls)
	case err != nil:
		a.log.Error("audit stopped", "err", err, "checks", rep.Checks, "calls", rep.Calls)
	default:
		a.log.Info("audit done", "documents", rep.Documents, "checks", rep.Checks, "over", rep.Over,
			"under", rep.Under, "fixed", rep.Fixed, "calls", rep.Calls, "skipped", rep.Skipped)
	}
	if werr := writeRecord(context.WithoutCancel(ctx), kv, rec); werr != nil {
		a.log.Warn("audit record not written", "err", werr)
	}
	if a.o.OnReport != nil {
		a.o.OnReport(rep)
	}
	return rep, err
}
