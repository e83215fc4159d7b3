package sink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// maxIncluders bounds the includers kept for one included page; past it
// the oldest are forgotten (they are re-rendered when they change
// themselves).
const maxIncluders = 1000

// includeKV is the role of the include index bucket (proto.BucketIncludes).
type includeKV interface {
	Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error)
	Put(ctx context.Context, key string, value []byte) (uint64, error)
	Create(ctx context.Context, key string, value []byte, opts ...jetstream.KVCreateOpt) (uint64, error)
	Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error)
}

// includeIndex is what include macros need across documents, which reach
// the sink in any order: per site, a page's space key and title → where
// its document is (title.<site>.<hash>), and the documents that include
// that page (includers.<site>.<hash>). An includer registers itself before
// it looks the page up, and a page's title is recorded before its
// includers are read, so that of two documents written at once by two
// replicas at least one sees the other.
type includeIndex struct {
	kv   includeKV
	site string
}

// docRef locates a document on the documents stream.
type docRef struct {
	SpaceID string `json:"space_id"`
	ID      string `json:"id"`
}

// pageKey names a page by space key and title, compared without case as
// Confluence compares titles.
func (x *includeIndex) pageKey(spaceKey, title string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(spaceKey) + "\n" + strings.ToLower(strings.TrimSpace(title))))
	return proto.Token(x.site) + "." + hex.EncodeToString(sum[:16])
}

// locate returns where the page titled title in space spaceKey is, and
// whether the index knows it.
func (x *includeIndex) locate(ctx context.Context, spaceKey, title string) (docRef, bool, error) {
	var ref docRef
	ok, err := x.get(ctx, "title."+x.pageKey(spaceKey, title), &ref)
	return ref, ok, err
}

// record notes where a page or blog post is, unless the index has it.
func (x *includeIndex) record(ctx context.Context, doc proto.Document) error {
	key := "title." + x.pageKey(doc.SpaceKey, doc.Title)
	ref := docRef{SpaceID: doc.SpaceID, ID: doc.ID}
	var old docRef
	if ok, err := x.get(ctx, key, &old); err != nil || (ok && old == ref) {
		return err
	}
	data, _ := json.Marshal(ref)
	if _, err := x.kv.Put(ctx, key, data); err != nil {
		return fmt.Errorf("record title of %s: %w", doc.ID, err)
	}
	return nil
}

// includers returns the documents that include the page titled title in
// space spaceKey.
func (x *includeIndex) includers(ctx context.Context, spaceKey, title string) ([]docRef, error) {
	var refs []docRef
	_, err := x.get(ctx, "includers."+x.pageKey(spaceKey, title), &refs)
	return refs, err
}

// addIncluder notes that the document by includes the page titled title
// in space spaceKey (compare-and-set, so that replicas add to the same
// list).
func (x *includeIndex) addIncluder(ctx context.Context, spaceKey, title string, by docRef) error {
	key := "includers." + x.pageKey(spaceKey, title)
	for attempt := 0; attempt < 10; attempt++ {
		entry, err := x.kv.Get(ctx, key)
		var refs []docRef
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			entry = nil
		case err != nil:
			return fmt.Errorf("read includers of %s: %w", key, err)
		default:
			if err := json.Unmarshal(entry.Value(), &refs); err != nil {
				refs = nil // a damaged list is started again
			}
		}
		if slices.Contains(refs, by) {
			return nil
		}
		refs = append(refs, by)
		if len(refs) > maxIncluders {
			refs = refs[len(refs)-maxIncluders:]
		}
		data, _ := json.Marshal(refs)
		if entry == nil {
			_, err = x.kv.Create(ctx, key, data)
		} else {
			_, err = x.kv.Update(ctx, key, data, entry.Revision())
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("add includer %s of %s: %w", by.ID, key, err)
		}
	}
	return fmt.Errorf("add includer %s of %s: too many concurrent updates", by.ID, key)
}

// get reads a JSON value; ok is false when the key is absent or damaged.
func (x *includeIndex) get(ctx context.Context, key string, into any) (bool, error) {
	entry, err := x.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read include index %s: %w", key, err)
	}
	return json.Unmarshal(entry.Value(), into) == nil, nil
}
