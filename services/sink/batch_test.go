package sink

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/conflux-dev/conflux/pkg/filesink"
	"github.com/conflux-dev/conflux/services/sink/sinkport"
)

// Concurrent handlers share batches; each gets the error of its own
// document only, and every good document is stored once its call returns.
func TestBatcherFailsOnlyTheBadDocument(t *testing.T) {
	fs, err := filesink.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	b := newBatcher(Files(fs))
	const n = 300 // more than one batch
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d := page("c1", "S1", fmt.Sprint(i+1), 1).Document
			if i == 7 {
				d.ID = "" // refused by the sink
			}
			errs[i] = b.upsert(context.Background(), sinkport.Item{Doc: d})
			if errs[i] == nil {
				if _, ok, _ := fs.Get(d.ID); !ok {
					t.Errorf("document %s not stored when its upsert returned", d.ID)
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 7) {
			t.Errorf("document %d: err = %v", i+1, err)
		}
	}
	docs, _ := fs.List("")
	if len(docs) != n-1 {
		t.Errorf("%d documents stored, want %d", len(docs), n-1)
	}
}
