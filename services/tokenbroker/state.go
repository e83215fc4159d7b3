package tokenbroker

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/conflux-dev/conflux/proto"
)

// Status values of State.Status.
const (
	// StatusOK: the refresh token is believed good.
	StatusOK = "ok"
	// StatusReauthorizationNeeded: Atlassian refused the refresh token
	// (invalid_grant) or the grant does not reach the site; a person must
	// run oauth2-tokenfetcher again. Terminal until a new refresh token is
	// configured.
	StatusReauthorizationNeeded = "reauthorization needed"
)

// maxSeeds bounds State.Seeds.
const maxSeeds = 16

// State is the broker's value in the tokens bucket (msgpack), one key per
// site. It is written only with compare-and-set on the revision.
type State struct {
	// RefreshToken is the current (latest rotated) refresh token.
	RefreshToken string `msgpack:"refresh_token"`
	// AccessToken came with RefreshToken and expires at Expiry.
	AccessToken string    `msgpack:"access_token"`
	Expiry      time.Time `msgpack:"expiry"`
	// RotatedAt is when RefreshToken was received.
	RotatedAt time.Time `msgpack:"rotated_at"`
	// FamilyStartedAt is when the grant's first refresh token was seeded
	// from the configuration: the start of Atlassian's 365-day absolute
	// expiry as far as conflux can know (the consent may be a little older).
	FamilyStartedAt time.Time `msgpack:"family_started_at"`
	// Holder is the replica that wrote this value.
	Holder string `msgpack:"holder"`
	// Status is StatusOK or StatusReauthorizationNeeded; Reason explains a
	// non-OK status (never a secret).
	Status string `msgpack:"status"`
	Reason string `msgpack:"reason,omitempty"`
	// CloudID of the site (accessible-resources) and the gateway URL the
	// clients use.
	CloudID string `msgpack:"cloud_id,omitempty"`
	BaseURL string `msgpack:"base_url,omitempty"`
	// Seeds are the fingerprints of every configured refresh token that
	// seeded this key: a configured token in this list is old, any other is
	// a new consent that replaces the state.
	Seeds []string `msgpack:"seeds,omitempty"`
	// Refreshes counts the rotations of this family.
	Refreshes int64 `msgpack:"refreshes"`
}

// StateKey is the key of a site's State in proto.BucketTokens:
// "oauth2.<site token>".
func StateKey(site string) string { return "oauth2." + proto.SiteToken(site) }

// LeaseKey is the key of a site's refresh lease in proto.BucketLeases:
// "tokenbroker.<site token>".
func LeaseKey(site string) string { return "tokenbroker." + proto.SiteToken(site) }

func encodeState(s State) ([]byte, error) {
	b, err := msgpack.Marshal(&s)
	if err != nil {
		return nil, fmt.Errorf("encode token state: %w", err)
	}
	return b, nil
}

// DecodeState reads a value of the tokens bucket.
func DecodeState(b []byte) (State, error) {
	var s State
	if err := msgpack.Unmarshal(b, &s); err != nil {
		return State{}, fmt.Errorf("decode token state: %w", err)
	}
	return s, nil
}

// seeded returns the state a configured refresh token starts.
func seeded(refreshToken, holder string, now time.Time, oldSeeds []string) State {
	seeds := append(slices.Clone(oldSeeds), fingerprint(refreshToken))
	if len(seeds) > maxSeeds {
		seeds = seeds[len(seeds)-maxSeeds:]
	}
	return State{
		RefreshToken: refreshToken, RotatedAt: now, FamilyStartedAt: now,
		Holder: holder, Status: StatusOK, Seeds: seeds,
	}
}

// ttl is the lifetime of the current access token.
func (s State) ttl() time.Duration {
	if s.Expiry.IsZero() || s.RotatedAt.IsZero() {
		return 0
	}
	return s.Expiry.Sub(s.RotatedAt)
}

// usable reports whether the access token can be handed out at now: it
// exists, the site's gateway URL is known, and it has more than margin
// left.
func (s State) usable(now time.Time, margin time.Duration) bool {
	return s.Status == StatusOK && s.AccessToken != "" && s.BaseURL != "" && s.Expiry.Sub(now) > margin
}

// String shows the state with its tokens as fingerprints (first 4 hex
// characters of their SHA-256), so a State can be printed or logged safely.
func (s State) String() string {
	return fmt.Sprintf("tokenbroker.State{status: %q, refresh_fp: %s, access_fp: %s, expiry: %s, rotated_at: %s, holder: %s, cloud_id: %s}",
		s.Status, short(s.RefreshToken), short(s.AccessToken), s.Expiry.Format(time.RFC3339), s.RotatedAt.Format(time.RFC3339), s.Holder, s.CloudID)
}

// GoString is String, so that %#v does not print the tokens either.
func (s State) GoString() string { return s.String() }

// LogValue keeps the tokens out of logs.
func (s State) LogValue() slog.Value { return slog.StringValue(s.String()) }
