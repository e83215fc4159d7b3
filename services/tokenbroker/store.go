package tokenbroker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/pkg/pause"
	"github.com/conflux-dev/conflux/proto"
)

// errSuperseded: a CAS lost to another replica; its value is the truth.
var errSuperseded = errors.New("token state changed by another replica")

// bind opens the tokens and leases buckets, creating them (from
// proto.Buckets) when they do not exist. An existing bucket is used as it
// is, so an operator's or a test's settings are kept.
func (s *Service) bind(ctx context.Context) error {
	var err error
	if s.tokensKV, err = s.bucket(ctx, proto.BucketTokens); err != nil {
		return err
	}
	if s.leasesKV, err = s.bucket(ctx, proto.BucketLeases); err != nil {
		return err
	}
	s.leaseTTL = defaultLeaseTTLWhenUnknown
	if st, err := s.leasesKV.Status(ctx); err == nil && st.TTL() > 0 {
		s.leaseTTL = st.TTL()
	}
	return nil
}

func (s *Service) bucket(ctx context.Context, name string) (jetstream.KeyValue, error) {
	kv, err := s.d.JS.KeyValue(ctx, name)
	if err == nil {
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("bind bucket %s: %w", name, err)
	}
	for _, cfg := range proto.Buckets(proto.Options{Replicas: s.d.Config.NATS.Replicas}) {
		if cfg.Bucket != name {
			continue
		}
		kv, err = s.d.JS.CreateKeyValue(ctx, cfg)
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = s.d.JS.KeyValue(ctx, name)
		}
		if err != nil {
			return nil, fmt.Errorf("create bucket %s: %w", name, err)
		}
		return kv, nil
	}
	return nil, fmt.Errorf("bucket %s is not declared in proto", name)
}

// seed makes sure the bucket holds a state: the configured refresh token
// on first start (Create); a refresh token configured after a new consent
// (its fingerprint not among State.Seeds) replaces the state; otherwise the
// bucket's token, newer than the configured one, is kept.
func (s *Service) seed(ctx context.Context) error {
	rt := s.d.Config.Auth.OAuth2.RefreshToken.Reveal()
	for attempt := 0; ; attempt++ {
		if attempt > 10 {
			return errors.New("seed token state: too many concurrent changes")
		}
		st, rev, err := s.leaderGet(ctx)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			if rt == "" {
				return errors.New("seed token state: no state in the bucket and no auth.oauth2.refresh_token configured; run oauth2-tokenfetcher")
			}
			data, err := encodeState(seeded(rt, s.o.holder, time.Now(), nil))
			if err != nil {
				return err
			}
			rev, err := s.tokensKV.Create(ctx, s.key, data)
			if keyExists(err) {
				_ = pause.For(ctx, 50*time.Millisecond)
				continue // another replica seeded first
			}
			if err != nil {
				return fmt.Errorf("seed token state: %w", err)
			}
			s.log.Info("token state seeded from the configuration", "token_fp", short(rt), "revision", rev)
			return nil
		case err != nil:
			return err
		}
		if rt == "" || slices.Contains(st.Seeds, fingerprint(rt)) {
			s.apply(st, rev)
			s.log.Info("token state found in the bucket", "token_fp", short(st.RefreshToken), "status", st.Status,
				"rotated_at", st.RotatedAt, "family_age", familyAge(st, time.Now()).String())
			return nil
		}
		data, err := encodeState(seeded(rt, s.o.holder, time.Now(), st.Seeds))
		if err != nil {
			return err
		}
		if _, err := s.tokensKV.Update(ctx, s.key, data, rev); err != nil {
			if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
				continue
			}
			return fmt.Errorf("replace token state: %w", err)
		}
		s.log.Info("new refresh token configured: it replaces the bucket's state", "token_fp", short(rt), "previous_status", st.Status)
		return nil
	}
}

// apply makes (st, rev) the replica's view when it is newer.
func (s *Service) apply(st State, rev uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rev <= s.rev {
		return
	}
	s.st, s.rev = st, rev
	s.notifyLocked()
}

// notifyLocked wakes everyone waiting for a change. The caller holds s.mu.
func (s *Service) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// snapshot returns the current view and the channel closed at its next
// change.
func (s *Service) snapshot() (State, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st, s.changed
}

// watch follows the state key and applies every new value, re-creating the
// watcher if it ends before ctx does.
func (s *Service) watch(ctx context.Context) {
	for ctx.Err() == nil {
		w, err := s.tokensKV.Watch(ctx, s.key)
		if err != nil {
			s.log.Warn("watch token state", "error", err.Error())
			_ = pause.For(ctx, time.Second)
			continue
		}
		s.follow(ctx, w)
		_ = w.Stop()
		_ = pause.For(ctx, 100*time.Millisecond)
	}
}

func (s *Service) follow(ctx context.Context, w jetstream.KeyWatcher) {
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			st, err := DecodeState(e.Value())
			if err != nil {
				s.log.Error("unreadable token state", "revision", e.Revision(), "error", err.Error())
				continue
			}
			s.apply(st, e.Revision())
		}
	}
}

// persist writes next over revision rev (CAS), retrying transient errors
// until ctx ends. It returns errSuperseded when another replica wrote
// first.
func (s *Service) persist(ctx context.Context, next State, rev uint64) (uint64, error) {
	data, err := encodeState(next)
	if err != nil {
		return 0, err
	}
	wait := 50 * time.Millisecond
	for {
		newRev, err := s.tokensKV.Update(ctx, s.key, data, rev)
		switch {
		case err == nil:
			return newRev, nil
		case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
			return 0, errSuperseded
		case errors.Is(err, nats.ErrConnectionClosed) || ctx.Err() != nil:
			return 0, fmt.Errorf("persist token state: %w", err)
		}
		s.log.Warn("persist token state: retrying", "error", err.Error())
		_ = pause.For(ctx, wait)
		wait = min(2*wait, 2*time.Second)
	}
}

// reread loads the latest state into the replica's view.
func (s *Service) reread(ctx context.Context) (State, uint64, error) {
	st, rev, err := s.leaderGet(ctx)
	if err != nil {
		return State{}, 0, err
	}
	s.apply(st, rev)
	return st, rev, nil
}

// leaderGet reads the latest state from the stream leader. A KV Get may be
// answered by a lagging follower (direct get), which could hand the
// refresher a refresh token that was already used.
func (s *Service) leaderGet(ctx context.Context) (State, uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := json.Marshal(map[string]string{"last_by_subj": "$KV." + proto.BucketTokens + "." + s.key})
	msg, err := s.d.NC.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+proto.BucketTokens, req)
	if err != nil {
		return State{}, 0, fmt.Errorf("read token state: %w", err)
	}
	var resp struct {
		Error   *jetstream.APIError `json:"error"`
		Message *struct {
			Seq  uint64 `json:"seq"`
			Hdrs []byte `json:"hdrs"`
			Data []byte `json:"data"`
		} `json:"message"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return State{}, 0, fmt.Errorf("read token state: %w", err)
	}
	switch {
	case resp.Error != nil && resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound:
		return State{}, 0, jetstream.ErrKeyNotFound
	case resp.Error != nil:
		return State{}, 0, fmt.Errorf("read token state: %w", resp.Error)
	case resp.Message == nil:
		return State{}, 0, errors.New("read token state: empty answer")
	case bytes.Contains(resp.Message.Hdrs, []byte("KV-Operation")):
		return State{}, 0, jetstream.ErrKeyNotFound // deleted or purged
	}
	st, err := DecodeState(resp.Message.Data)
	if err != nil {
		return State{}, 0, err
	}
	return st, resp.Message.Seq, nil
}

// keyExists reports whether a Create failed because the key exists.
func keyExists(err error) bool { return bus.KeyExists(err) }
