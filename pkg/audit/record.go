package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/proto"
)

// RecordKey is the key of the last audit's Record in the progress bucket
// (proto.BucketProgress).
const RecordKey = "audit.last"

// Record is what the last audit left for `conflux status` and for the
// hourly call budget.
type Record struct {
	At        time.Time `msgpack:"at"`
	Documents int       `msgpack:"documents"`
	Checks    int       `msgpack:"checks"`
	Over      int       `msgpack:"over"`
	Under     int       `msgpack:"under"`
	Fixed     int       `msgpack:"fixed"`
	Calls     int       `msgpack:"calls"`
	Skipped   string    `msgpack:"skipped,omitempty"`
	// Off is set when the audit cannot run (the account is not a
	// Confluence administrator); it says why.
	Off string `msgpack:"off,omitempty"`
	// Spent lists the calls of the audits of the last hour.
	Spent []Spend `msgpack:"spent,omitempty"`
}

// Spend is the calls one audit made, and when.
type Spend struct {
	At    time.Time `msgpack:"at"`
	Calls int       `msgpack:"calls"`
}

// String is the record as `conflux status` shows it.
func (r Record) String() string {
	when := r.At.Local().Format(time.DateTime)
	switch {
	case r.Off != "":
		return fmt.Sprintf("audit off since %s: %s", when, r.Off)
	case r.Skipped != "":
		return fmt.Sprintf("last audit %s: skipped: %s", when, r.Skipped)
	}
	return fmt.Sprintf("last audit %s: %d documents, %d checks, %d mismatches (%d over-grants, %d fixed; %d under-grants), %d calls",
		when, r.Documents, r.Checks, r.Over+r.Under, r.Over, r.Fixed, r.Under, r.Calls)
}

// spentSince sums the calls recorded after t.
func (r Record) spentSince(t time.Time) int {
	n := 0
	for _, s := range r.Spent {
		if s.At.After(t) {
			n += s.Calls
		}
	}
	return n
}

// kvStore is the role of the progress bucket the record needs.
type kvStore interface {
	Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error)
	Put(ctx context.Context, key string, value []byte) (uint64, error)
}

// LastRecord reads the last audit's record; false when no audit ran yet.
func LastRecord(ctx context.Context, js jetstream.JetStream) (Record, bool, error) {
	kv, err := js.KeyValue(ctx, proto.BucketProgress)
	if err != nil {
		return Record{}, false, fmt.Errorf("open progress bucket %s: %w", proto.BucketProgress, err)
	}
	return readRecord(ctx, kv)
}

func readRecord(ctx context.Context, kv kvStore) (Record, bool, error) {
	var r Record
	e, err := kv.Get(ctx, RecordKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("read audit record: %w", err)
	}
	if err := msgpack.Unmarshal(e.Value(), &r); err != nil {
		return r, false, fmt.Errorf("decode audit record: %w", err)
	}
	return r, true, nil
}

func writeRecord(ctx context.Context, kv kvStore, r Record) error {
	b, err := msgpack.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode audit record: %w", err)
	}
	if _, err := kv.Put(ctx, RecordKey, b); err != nil {
		return fmt.Errorf("write audit record: %w", err)
	}
	return nil
}
