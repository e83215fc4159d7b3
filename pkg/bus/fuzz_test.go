package bus_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/conflux-dev/conflux/pkg/bus"
	"github.com/conflux-dev/conflux/proto"
)

// schemas are the header values of proto.Known, in a fixed order so that a
// fuzz input names one by index.
func schemas() []string {
	var s []string
	for k := range proto.Known {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// FuzzDecode feeds arbitrary bytes to the decoder of every message schema
// (what DecodeMsg does once the header named the schema): it must return
// an error or a message, never panic, and a message it accepts must
// survive an encode/decode round trip unchanged. Seeds: the golden
// messages of proto/testdata, one per schema.
func FuzzDecode(f *testing.F) {
	names := schemas()
	for i, sv := range names {
		m := proto.Known[sv]()
		s := m.Schema()
		golden, err := os.ReadFile(filepath.Join("..", "..", "proto", "testdata", s.Name+".v"+strconv.Itoa(s.Version)+".msgpack"))
		if err == nil {
			f.Add(uint8(i), golden)
		}
		empty, err := bus.Encode(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), empty)
	}
	f.Add(uint8(0), []byte{0xde, 0xff, 0xff}) // a map header claiming 65535 entries
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		sv := names[int(which)%len(names)]
		m := proto.Known[sv]()
		if err := bus.Decode(data, m); err != nil {
			return
		}
		again, err := bus.Encode(m)
		if err != nil {
			t.Fatalf("%s: decoded, but encoding it again fails: %v", sv, err)
		}
		back := proto.Known[sv]()
		if err := bus.Decode(again, back); err != nil {
			t.Fatalf("%s: its own encoding does not decode: %v", sv, err)
		}
		if !reflect.DeepEqual(normal(m), normal(back)) {
			t.Fatalf("%s: round trip changed the message:\n%#v\n%#v", sv, m, back)
		}
	})
}

// normal re-encodes a message once so that representations msgpack does
// not distinguish (nil and empty slices, time zones) compare equal.
func normal(m proto.Message) proto.Message {
	b, err := bus.Encode(m)
	if err != nil {
		return m
	}
	out := proto.Known[m.Schema().String()]()
	if bus.Decode(b, out) != nil {
		return m
	}
	return out
}

// FuzzParseSchema: the schema header of any message is parsed without
// panic, and what parses prints back as itself.
func FuzzParseSchema(f *testing.F) {
	for _, sv := range schemas() {
		f.Add(sv)
	}
	f.Add("conflux.x/0")
	f.Add("/-1")
	f.Fuzz(func(t *testing.T, v string) {
		s, err := proto.ParseSchema(v)
		if err != nil {
			return
		}
		if again, err := proto.ParseSchema(s.String()); err != nil || again != s {
			t.Fatalf("%q parses as %v, which parses as %v (%v)", v, s, again, err)
		}
	})
}
