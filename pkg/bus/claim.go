package bus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/proto"
)

// HeaderClaim names the header that carries the object name of a payload
// stored in proto.ObjectClaims; the message body is then empty.
const HeaderClaim = "Conflux-Claim"

// DefaultClaimThreshold is the payload size, in bytes, above which a
// payload travels by claim check: 256 KiB.
const DefaultClaimThreshold = 256 << 10

// claimRefresh is how old a stored claim may be before a publish of the
// same bytes stores it again, so that a payload still published is not
// lost to the object store's TTL.
const claimRefresh = 24 * time.Hour

const claimPrefix = "sha256-"

// claimName is the content-addressed object name of a payload.
func claimName(data []byte) string {
	sum := sha256.Sum256(data)
	return claimPrefix + hex.EncodeToString(sum[:])
}

// ObjectStores is the role of JetStream that reading a claim check
// needs: binding an object store. jetstream.JetStream satisfies it.
type ObjectStores interface {
	ObjectStore(ctx context.Context, bucket string) (jetstream.ObjectStore, error)
}

// claims stores and loads claim-checked payloads; it binds the object
// store on first use.
type claims struct {
	js  ObjectStores
	mu  sync.Mutex
	obs jetstream.ObjectStore
}

func (c *claims) store(ctx context.Context) (jetstream.ObjectStore, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.obs != nil {
		return c.obs, nil
	}
	obs, err := c.js.ObjectStore(ctx, proto.ObjectClaims)
	if err != nil {
		return nil, fmt.Errorf("bind object store %s: %w", proto.ObjectClaims, err)
	}
	c.obs = obs
	return obs, nil
}

// put stores data unless the same bytes were stored recently, and returns
// the object name.
func (c *claims) put(ctx context.Context, data []byte) (string, error) {
	name := claimName(data)
	obs, err := c.store(ctx)
	if err != nil {
		return "", err
	}
	info, err := obs.GetInfo(ctx, name)
	if err == nil && !info.Deleted && info.Size == uint64(len(data)) && time.Since(info.ModTime) < claimRefresh {
		return name, nil
	}
	if err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return "", fmt.Errorf("claim %s: %w", name, err)
	}
	if _, err := obs.PutBytes(ctx, name, data); err != nil {
		return "", fmt.Errorf("store claim %s (%d bytes): %w", name, len(data), err)
	}
	return name, nil
}

// Payload returns the encoded payload of msg: its body, or, when it
// travels by claim check, the bytes stored under its claim (verified
// against the claim's digest). A claim that is gone or does not match
// wraps ErrMalformed.
func Payload(ctx context.Context, js ObjectStores, msg jetstream.Msg) ([]byte, error) {
	name := msg.Headers().Get(HeaderClaim)
	if name == "" {
		return msg.Data(), nil
	}
	if len(msg.Data()) > 0 {
		return nil, fmt.Errorf("%w: claim %s with a %d byte body", ErrMalformed, name, len(msg.Data()))
	}
	if !strings.HasPrefix(name, claimPrefix) {
		return nil, fmt.Errorf("%w: claim name %q", ErrMalformed, name)
	}
	c := claims{js: js}
	obs, err := c.store(ctx)
	if err != nil {
		return nil, err
	}
	data, err := obs.GetBytes(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, fmt.Errorf("%w: claim %s not found in %s (expired or deleted)", ErrMalformed, name, proto.ObjectClaims)
	}
	if err != nil {
		return nil, fmt.Errorf("load claim %s: %w", name, err)
	}
	if claimName(data) != name {
		return nil, fmt.Errorf("%w: claim %s does not match its content", ErrMalformed, name)
	}
	return data, nil
}
