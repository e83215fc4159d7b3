package bus_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

func TestPublishDecodeRoundTrip(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	pub := bus.NewPublisher(js)
	in := content("123")
	subj := proto.For(site).Content(in.SpaceID, in.ID)
	id := proto.MsgID("content", in.ID, in.Version, in.CrawlID)
	for range 2 { // the second publish is a duplicate and is dropped
		if err := pub.Publish(ctx, subj, in, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := streamMsgs(t, js, proto.StreamContent); n != 1 {
		t.Fatalf("stream holds %d messages, want 1 (duplicate dropped)", n)
	}
	msg := next(t, js, proto.StreamContent, jetstream.ConsumerConfig{})
	h := msg.Headers()
	for k, want := range map[string]string{
		proto.HeaderSchema: "content.fetched/1", proto.HeaderCrawl: "c1", jetstream.MsgIDHeader: id,
	} {
		if got := h.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	got, err := bus.DecodeMsg(ctx, js, msg)
	if err != nil {
		t.Fatal(err)
	}
	cf := got.(*proto.ContentFetched)
	if !cf.UpdatedAt.Equal(in.UpdatedAt) || !cf.CreatedAt.Equal(in.CreatedAt) {
		t.Fatalf("times %v %v, want %v %v", cf.CreatedAt, cf.UpdatedAt, in.CreatedAt, in.UpdatedAt)
	}
	cf.CreatedAt, cf.UpdatedAt = in.CreatedAt, in.UpdatedAt
	if !reflect.DeepEqual(cf, in) {
		t.Fatalf("decoded %+v, want %+v", cf, in)
	}
}

func TestClaimCheck5MiB(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	in := content("big")
	var b strings.Builder
	for b.Len() < 5<<20 {
		b.WriteString("<p>a long page, line ")
		b.WriteString(time.Duration(b.Len()).String())
		b.WriteString("</p>\n")
	}
	in.Body = b.String()
	subj := proto.For(site).Content(in.SpaceID, in.ID)
	if err := bus.NewPublisher(js).Publish(ctx, subj, in, ""); err != nil {
		t.Fatal(err)
	}
	msg := next(t, js, proto.StreamContent, jetstream.ConsumerConfig{})
	claim := msg.Headers().Get(bus.HeaderClaim)
	if claim == "" || len(msg.Data()) != 0 {
		t.Fatalf("claim header %q and a %d byte body, want a claim and no body", claim, len(msg.Data()))
	}
	obs, err := js.ObjectStore(ctx, proto.ObjectClaims)
	if err != nil {
		t.Fatal(err)
	}
	info, err := obs.GetInfo(ctx, claim)
	if err != nil {
		t.Fatalf("claim %s not stored: %v", claim, err)
	}
	if info.Size < 5<<20 {
		t.Fatalf("claim holds %d bytes, want at least 5 MiB", info.Size)
	}
	got, err := bus.DecodeMsg(ctx, js, msg)
	if err != nil {
		t.Fatal(err)
	}
	if body := got.(*proto.ContentFetched).Body; body != in.Body {
		t.Fatalf("body of %d bytes came back as %d bytes", len(in.Body), len(body))
	}
}

func TestClaimThresholdOption(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	pub := bus.NewPublisher(js, bus.WithClaimThreshold(64))
	in := content("1")
	if err := pub.Publish(ctx, proto.For(site).Content("s", "1"), in, ""); err != nil {
		t.Fatal(err)
	}
	msg := next(t, js, proto.StreamContent, jetstream.ConsumerConfig{})
	if msg.Headers().Get(bus.HeaderClaim) == "" {
		t.Fatal("a payload over the 64 byte threshold travelled inline")
	}
}

func TestDecodeMsgErrors(t *testing.T) {
	js := setup(t)
	ctx := testCtx(t)
	good, err := bus.Encode(content("1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		header map[string]string
		data   []byte
		want   error
		reason string
	}{
		{"no schema header", nil, good, bus.ErrMalformed, "no Conflux-Schema header"},
		{"bad schema header", map[string]string{proto.HeaderSchema: "content.fetched"}, good, bus.ErrMalformed, "want <name>/<version>"},
		{"unknown schema", map[string]string{proto.HeaderSchema: "content.fetched/99"}, good, bus.ErrUnknownSchema, `"content.fetched/99"`},
		{"bad msgpack", map[string]string{proto.HeaderSchema: "content.fetched/1"}, []byte("\xc1not msgpack"), bus.ErrMalformed, "msgpack"},
		{"trailing bytes", map[string]string{proto.HeaderSchema: "content.fetched/1"}, append(append([]byte{}, good...), 1, 2), bus.ErrMalformed, "left after"},
		{"missing claim", map[string]string{proto.HeaderSchema: "content.fetched/1", bus.HeaderClaim: "sha256-00"}, nil, bus.ErrMalformed, "not found"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subj := proto.For(site).Content("s", string(rune('a'+i)))
			m := nats.NewMsg(subj)
			for k, v := range tt.header {
				m.Header.Set(k, v)
			}
			m.Data = tt.data
			ack, err := js.PublishMsg(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			msg := next(t, js, proto.StreamContent, jetstream.ConsumerConfig{
				DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: ack.Sequence,
			})
			_, err = bus.DecodeMsg(ctx, js, msg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			for _, part := range []string{subj, proto.StreamContent, "seq", tt.reason} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not name %q", err, part)
				}
			}
		})
	}
}
