package sink

import (
	"context"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Group commit: a lane's handlers hand their documents to the lane's
// batcher and wait until the batch holding theirs is written, so that a
// sink writes many documents with one Upsert (one transaction, one sync
// of the files) while each message is still acked only after its
// document is durable.
const (
	// batchMax is the most documents in one Upsert.
	batchMax = 64
	// batchLinger is how long the first document of a batch waits for
	// others before the batch is written.
	batchLinger = 20 * time.Millisecond
	// batchWriters is how many batches of a lane are written at once.
	batchWriters = 2
)

// batcher collects the documents of concurrent handlers into batches.
// The first handler of a batch leads it: it waits until the batch is full
// or batchLinger has passed and a writer is free, then writes it for all.
type batcher struct {
	sink    Sink
	max     int
	linger  time.Duration
	writers chan struct{}

	mu   sync.Mutex
	cur  *batch
	byID map[string]*batch // the last unwritten batch holding each id
}

type batch struct {
	items []sinkport.Item
	full  chan struct{} // closed when the batch takes no more items
	done  chan struct{} // closed when errs is set
	errs  []error
}

func newBatcher(sink Sink) *batcher {
	return &batcher{sink: sink, max: batchMax, linger: batchLinger, writers: make(chan struct{}, batchWriters),
		byID: map[string]*batch{}}
}

// upsert writes it in a batch and returns once the batch was written,
// with the error of its own document.
func (b *batcher) upsert(ctx context.Context, it sinkport.Item) error {
	b.mu.Lock()
	bt, lead := b.cur, false
	if bt == nil {
		bt = &batch{full: make(chan struct{}), done: make(chan struct{})}
		b.cur, lead = bt, true
	}
	i := len(bt.items)
	bt.items = append(bt.items, it)
	b.byID[it.Doc.ID] = bt
	if len(bt.items) >= b.max {
		b.seal(bt)
	}
	b.mu.Unlock()
	if lead {
		b.lead(ctx, bt)
	}
	<-bt.done // never before: the batch may still read this item's attachment
	return bt.errs[i]
}

// seal closes a batch to new items; the caller holds mu.
func (b *batcher) seal(bt *batch) {
	if b.cur == bt {
		b.cur = nil
		close(bt.full)
	}
}

// lead waits for the batch to fill (or the linger to pass) and for a free
// writer, then writes the batch and hands each handler its error.
func (b *batcher) lead(ctx context.Context, bt *batch) {
	t := time.NewTimer(b.linger)
	select {
	case <-bt.full:
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	select {
	case b.writers <- struct{}{}:
		defer func() { <-b.writers }()
	case <-ctx.Done():
	}
	b.mu.Lock()
	b.seal(bt)
	b.mu.Unlock()
	bt.errs = b.writeBatch(ctx, bt.items)
	b.mu.Lock()
	for _, it := range bt.items {
		if b.byID[it.Doc.ID] == bt {
			delete(b.byID, it.Doc.ID)
		}
	}
	b.mu.Unlock()
	close(bt.done)
}

// settle waits until no batch holds id, so that a deletion is applied
// after the upserts of the same document that came before it.
func (b *batcher) settle(id string) {
	b.mu.Lock()
	bt := b.byID[id]
	b.mu.Unlock()
	if bt != nil {
		<-bt.done
	}
}

// eachWriter is a back-end that says which documents of a batch failed
// (the file sink).
type eachWriter interface {
	UpsertEach(ctx context.Context, items []sinkport.Item) []error
}

// writeBatch writes items in one Upsert. When that fails, the documents
// without attachment bytes are written again one by one, so that one bad
// document fails only its own handler; those with attachment bytes (whose
// reader the failed batch may have consumed) fail with the batch and are
// retried with their message. A back-end that reports errors per document
// is asked once.
func (b *batcher) writeBatch(ctx context.Context, items []sinkport.Item) []error {
	if err := ctx.Err(); err != nil {
		return fill(make([]error, len(items)), err)
	}
	if e, ok := b.sink.(eachWriter); ok {
		return e.UpsertEach(ctx, items)
	}
	errs := make([]error, len(items))
	err := b.sink.Upsert(ctx, items)
	if err == nil || len(items) == 1 || ctx.Err() != nil {
		return fill(errs, err)
	}
	for i, it := range items {
		if it.Attachment != nil {
			errs[i] = err
			continue
		}
		errs[i] = b.sink.Upsert(ctx, []sinkport.Item{it})
	}
	return errs
}

func fill(errs []error, err error) []error {
	for i := range errs {
		errs[i] = err
	}
	return errs
}
