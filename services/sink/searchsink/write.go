package searchsink

import (
	"context"
	"fmt"
	"strings"

	"github.com/conflux-dev/conflux/pkg/pause"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Upsert indexes a batch with external versioning (see the package
// comment). A document without an id fails the whole batch before
// anything is sent. The search sinks keep no attachment bytes.
func (s *Sink) Upsert(ctx context.Context, items []sinkport.Item) error {
	items = sinkport.Dedupe(items)
	ops := make([]op, 0, len(items))
	for _, it := range items {
		if it.Doc.ID == "" {
			return s.errorf("a document has no id (title %q)", it.Doc.Title)
		}
		o, err := indexOp(it.Doc.ID, it.Doc.Version, it.Doc)
		if err != nil {
			return s.errorf("%w", err)
		}
		ops = append(ops, o)
	}
	return s.send(ctx, s.opt.Index, ops, false)
}

// Delete removes documents by id; missing ones are no error.
func (s *Sink) Delete(ctx context.Context, ids []string) error {
	ops := make([]op, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			ops = append(ops, deleteOp(id))
		}
	}
	return s.send(ctx, s.opt.Index, ops, false)
}

// send writes ops in bulk requests and sends again, with a doubling pause,
// the requests answered 429 or 5xx as a whole and the items answered 429
// or 5xx, at most Options.Attempts times in all. Items that failed for
// good are reported together once nothing retryable is left.
func (s *Sink) send(ctx context.Context, index string, ops []op, refresh bool) error {
	var failures []string
	wait := s.opt.Backoff
	for attempt := 1; len(ops) > 0; attempt++ {
		var retry []pending
		var lastErr string
		for _, batch := range chunks(ops, s.opt.BatchDocs, s.opt.BatchBytes) {
			r, f, err := s.bulk(ctx, index, batch, refresh)
			if err != nil {
				return err
			}
			retry = append(retry, r...)
			failures = append(failures, f...)
			if len(r) > 0 {
				lastErr = r[0].reason
			}
		}
		ops = opsOf(retry)
		if len(ops) == 0 {
			break
		}
		if attempt >= s.opt.Attempts {
			return s.errorf("%d of the actions on %s still refused after %d attempts (last: %s)", len(ops), index, attempt, lastErr)
		}
		if err := pause.For(ctx, wait); err != nil {
			return s.errorf("bulk to %s: %w", index, err)
		}
		wait = min(2*wait, s.opt.MaxBackoff)
	}
	if len(failures) > 0 {
		return s.errorf("%d actions on %s failed: %s", len(failures), index, strings.Join(failures[:min(len(failures), 5)], "; "))
	}
	return nil
}

// pending is an op to send again, with why.
type pending struct {
	op     op
	reason string
}

func opsOf(p []pending) []op {
	out := make([]op, len(p))
	for i, x := range p {
		out[i] = x.op
	}
	return out
}

// bulk sends one request and sorts its items: to retry, failed for good
// (described), or done. A transport error or a whole-request 429/5xx
// retries every item; another whole-request error is returned.
func (s *Sink) bulk(ctx context.Context, index string, batch []op, refresh bool) ([]pending, []string, error) {
	reply, err := s.c.Bulk(ctx, index, body(batch), refresh)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, s.errorf("bulk to %s: %w", index, err)
		}
		return all(batch, err.Error()), nil, nil
	}
	if retryable(reply.Status) {
		return all(batch, replyError(reply)), nil, nil
	}
	if reply.Status >= 300 {
		return nil, nil, s.errorf("bulk to %s: %s", index, replyError(reply))
	}
	infos, err := parseBulk(reply.Body, len(batch))
	if err != nil {
		return nil, nil, s.errorf("bulk to %s: %w", index, err)
	}
	var retry []pending
	var failures []string
	for i, it := range infos {
		switch classify(batch[i], it) {
		case again:
			retry = append(retry, pending{batch[i], fmt.Sprintf("%s status %d %s", describeID(batch[i].id), it.Status, it.Error)})
		case failed:
			failures = append(failures, fmt.Sprintf("%s status %d %s", describeID(batch[i].id), it.Status, it.Error))
		}
	}
	return retry, failures, nil
}

func all(batch []op, reason string) []pending {
	out := make([]pending, len(batch))
	for i, o := range batch {
		out[i] = pending{o, reason}
	}
	return out
}
