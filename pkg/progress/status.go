package progress

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/proto"
)

// Status is where a crawl stands.
type Status struct {
	Meta   proto.CrawlMeta
	Spaces []proto.SpaceProgress // in space key order
	// Complete is true when enumeration is done and every space is
	// complete (and, for a full crawl, swept and its tombstones applied).
	Complete bool
	// Finished is the crawl's result once the coordinator announced it.
	Finished *proto.CrawlFinished
}

// Totals sums the spaces.
func (s Status) Totals() proto.SpaceProgress { return Sum(s.Spaces) }

// Sum adds up the counts of spaces.
func Sum(spaces []proto.SpaceProgress) proto.SpaceProgress {
	var t proto.SpaceProgress
	for _, p := range spaces {
		t.Listed += p.Listed
		t.Attachments += p.Attachments
		t.Written += p.Written
		t.Dropped += p.Dropped
		t.Failed += p.Failed
		t.Deleted += p.Deleted
	}
	return t
}

// Status computes a crawl's status from the progress bucket.
func (t *Tracker) Status(ctx context.Context, crawlID string) (Status, error) {
	return t.StatusKeeping(ctx, crawlID, nil)
}

// DoneSpaces keeps, for one crawl, the spaces a poll found done (listed,
// every item with an outcome, swept and its tombstones applied): their
// counts no longer change, so later polls take them from here instead of
// reading each space's outcomes again. Without it a poll of a crawl of
// many spaces reads them all (two key scans a space) and, pausing four
// times as long as it took, noticed the crawl's end seconds late.
type DoneSpaces map[string]proto.SpaceProgress

// StatusKeeping is Status for a caller that polls the same crawl again
// and again (the coordinator, Wait): the spaces in done are not read, and
// those found done are added to it. A nil done reads every space.
func (t *Tracker) StatusKeeping(ctx context.Context, crawlID string, done DoneSpaces) (Status, error) {
	meta, err := t.Meta(ctx, crawlID)
	if err != nil {
		return Status{}, err
	}
	st := Status{Meta: meta, Complete: meta.EnumerationDone}
	if f, ok, err := t.finished(ctx, crawlID); err != nil {
		return st, err
	} else if ok {
		st.Finished = &f
	}
	for id, key := range meta.Spaces {
		if p, ok := done[id]; ok {
			st.Spaces = append(st.Spaces, p)
			continue
		}
		p, err := t.Space(ctx, crawlID, id)
		if err != nil {
			return st, err
		}
		if p.SpaceKey == "" {
			p.SpaceKey = key
		}
		ok, err := t.spaceDone(ctx, meta, p)
		if err != nil {
			return st, err
		}
		st.Complete = st.Complete && ok
		st.Spaces = append(st.Spaces, p)
		if ok && done != nil {
			done[id] = p
		}
	}
	sort.Slice(st.Spaces, func(i, j int) bool { return st.Spaces[i].SpaceKey < st.Spaces[j].SpaceKey })
	return st, nil
}

// spaceDone: every listed item has an outcome; a full crawl's space with
// an error-free listing must also be swept, its tombstones applied.
func (t *Tracker) spaceDone(ctx context.Context, meta proto.CrawlMeta, p proto.SpaceProgress) (bool, error) {
	if !p.Complete() {
		return false, nil
	}
	if meta.Kind != proto.CrawlFull || p.ListingError != "" {
		return true, nil
	}
	sw, ok, err := t.GetSweep(ctx, meta.CrawlID, p.SpaceID)
	if err != nil || !ok {
		return false, err
	}
	return sw.Refused != "" || p.Deleted >= len(sw.Deleted), nil
}

func (t *Tracker) finished(ctx context.Context, crawlID string) (proto.CrawlFinished, bool, error) {
	var f proto.CrawlFinished
	ok, err := t.get(ctx, proto.ProgressOf(crawlID).Finished(), &f)
	return f, ok, err
}

// Summarize builds the result of a complete crawl: what failed (items,
// listings, refused sweeps) and notes (items written differently, such as
// metadata-only attachments).
func (t *Tracker) Summarize(ctx context.Context, st Status) (proto.CrawlFinished, error) {
	f := proto.CrawlFinished{CrawlID: st.Meta.CrawlID, Kind: st.Meta.Kind, Spaces: st.Spaces,
		Started: st.Meta.Started, Finished: time.Now().UTC()}
	if st.Meta.EnumerationError != "" {
		f.Failures = append(f.Failures, "space listing: "+st.Meta.EnumerationError)
		f.Partial = true
	}
	f.CredentialsRefused = st.Meta.CredentialsRefused
	for _, p := range st.Spaces {
		if p.ListingError != "" {
			f.Partial = true
			f.Failures = append(f.Failures, fmt.Sprintf("space %s: listing incomplete, nothing deleted: %s", p.SpaceKey, p.ListingError))
		}
		if st.Meta.Kind == proto.CrawlFull {
			if sw, ok, err := t.GetSweep(ctx, st.Meta.CrawlID, p.SpaceID); err != nil {
				return f, err
			} else if ok && sw.Refused != "" {
				f.Failures = append(f.Failures, fmt.Sprintf("space %s: deletions refused: %s", p.SpaceKey, sw.Refused))
			}
		}
		seen, err := t.SeenItems(ctx, st.Meta.CrawlID, p.SpaceID)
		if err != nil {
			return f, err
		}
		ids := make([]string, 0, len(seen))
		for id := range seen {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			o := seen[id]
			line := fmt.Sprintf("space %s: %s: %s: %s", p.SpaceKey, id, o.Stage, o.Reason)
			switch {
			case o.State == proto.OutcomeFailed:
				f.Failures = append(f.Failures, line)
			case o.Reason != "":
				f.Notes = append(f.Notes, o.State+" "+line)
			}
		}
	}
	f.OK = len(f.Failures) == 0
	f.Failures, f.Notes = capLines(f.Failures), capLines(f.Notes)
	return f, nil
}

// maxLines bounds the failures and the notes a crawl's result lists, so
// that the result stays far below the 1 MiB limit of a KV value and a
// message however many items failed.
const maxLines = 1000

// capLines keeps the first maxLines lines and says how many were left out.
func capLines(lines []string) []string {
	if len(lines) <= maxLines {
		return lines
	}
	return append(lines[:maxLines:maxLines], fmt.Sprintf("… and %d more", len(lines)-maxLines))
}

// Finish records a crawl's result once; it returns false when another
// replica recorded it first.
func (t *Tracker) Finish(ctx context.Context, f proto.CrawlFinished) (bool, error) {
	b, err := msgpack.Marshal(f)
	if err != nil {
		return false, fmt.Errorf("encode crawl result: %w", err)
	}
	_, err = t.kv.Create(ctx, proto.ProgressOf(f.CrawlID).Finished(), b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record result of crawl %s: %w", f.CrawlID, err)
	}
	return true, nil
}

// Active lists the crawls that have meta but no result yet.
func (t *Tracker) Active(ctx context.Context) ([]string, error) {
	w, err := t.kv.Watch(ctx, "*.meta", jetstream.IgnoreDeletes(), jetstream.MetaOnly())
	if err != nil {
		return nil, fmt.Errorf("list crawls: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var ids []string
	for e := range w.Updates() {
		if e == nil {
			break
		}
		ids = append(ids, strings.TrimSuffix(e.Key(), ".meta"))
	}
	var active []string
	for _, id := range ids {
		if _, ok, err := t.finished(ctx, id); err != nil {
			return nil, err
		} else if !ok {
			active = append(active, id)
		}
	}
	return active, nil
}

// Wait polls until the crawl has a result or ctx ends, calling onStatus
// after every poll (for progress display). The pause after a poll is at
// least four times its length, so that watching a huge crawl stays cheap.
// With no onStatus a poll reads the crawl's result only, not every
// outcome of the crawl: the coordinator already reads those.
func (t *Tracker) Wait(ctx context.Context, crawlID string, every time.Duration, onStatus func(Status)) (proto.CrawlFinished, error) {
	done := DoneSpaces{}
	for {
		started := time.Now()
		st, err := t.poll(ctx, crawlID, onStatus != nil, done)
		if err != nil && !errors.Is(err, ErrUnknownCrawl) {
			return proto.CrawlFinished{}, err
		}
		if err == nil && onStatus != nil {
			onStatus(st)
		}
		if st.Finished != nil {
			return *st.Finished, nil
		}
		select {
		case <-ctx.Done():
			return proto.CrawlFinished{}, ctx.Err()
		case <-time.After(max(every, 4*time.Since(started))):
		}
	}
}

// poll returns a crawl's status for Wait: in full (the spaces in done
// not read again), or, when !full, its result only (Finished, nil until
// there is one).
func (t *Tracker) poll(ctx context.Context, crawlID string, full bool, done DoneSpaces) (Status, error) {
	if full {
		return t.StatusKeeping(ctx, crawlID, done)
	}
	f, ok, err := t.finished(ctx, crawlID)
	if err != nil || !ok {
		return Status{}, err
	}
	return Status{Finished: &f}, nil
}
