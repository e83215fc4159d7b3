package proto

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ (only for a deliberate wire change)")

// encode is the encoding of pkg/bus.Encode: msgpack with sorted map keys.
func encode(t *testing.T, m Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.SetSortMapKeys(true)
	if err := enc.Encode(m); err != nil {
		t.Fatalf("encode %s: %v", m.Schema(), err)
	}
	return buf.Bytes()
}

// decode reads data as the schema's message, the way a reader that only
// knows the header does.
func decode(t *testing.T, schema string, data []byte) Message {
	t.Helper()
	mk, ok := Known[schema]
	if !ok {
		t.Fatalf("schema %s not in Known", schema)
	}
	m := mk()
	if err := msgpack.Unmarshal(data, m); err != nil {
		t.Fatalf("decode %s: %v", schema, err)
	}
	return m
}

func goldenPath(s Schema) string {
	return filepath.Join("testdata", s.Name+".v"+strconv.Itoa(s.Version)+".msgpack")
}

func TestFixturesCoverEveryField(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range fixtures() {
		s := m.Schema().String()
		if seen[s] {
			t.Errorf("two fixtures of %s", s)
		}
		seen[s] = true
		if mk, ok := Known[s]; !ok || reflect.TypeOf(mk()) != reflect.TypeOf(m) {
			t.Errorf("Known[%s] does not make a %T", s, m)
		}
		for _, path := range zeroFields(reflect.ValueOf(m), reflect.TypeOf(m).Elem().Name()) {
			t.Errorf("fixture field %s is not set: the golden file would not pin it", path)
		}
	}
	for s := range Known {
		if !seen[s] {
			t.Errorf("no fixture for %s", s)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range fixtures() {
		t.Run(m.Schema().String(), func(t *testing.T) {
			got := decode(t, m.Schema().String(), encode(t, m))
			utc(reflect.ValueOf(got))
			if !reflect.DeepEqual(got, m) {
				t.Fatalf("round trip changed the message:\n got %+v\nwant %+v", got, m)
			}
		})
	}
}

// TestGolden reads the checked-in bytes of every message: a change that
// cannot read messages already on the bus (a renamed tag, a changed type)
// fails here. A deliberate change of the wire form rewrites the files
// with -update and belongs with a new schema version when old readers
// would misread it.
func TestGolden(t *testing.T) {
	for _, m := range fixtures() {
		t.Run(m.Schema().String(), func(t *testing.T) {
			path := goldenPath(m.Schema())
			if *update {
				if err := os.WriteFile(path, encode(t, m), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			got := decode(t, m.Schema().String(), golden)
			utc(reflect.ValueOf(got))
			if !reflect.DeepEqual(got, m) {
				t.Fatalf("%s no longer decodes to the fixture:\n got %+v\nwant %+v", path, got, m)
			}
			// Bytes differ where a map iterates in another order; the
			// generic form does not.
			if enc := encode(t, m); !reflect.DeepEqual(generic(t, enc), generic(t, golden)) {
				t.Fatalf("the encoding of %s changed; if deliberate and readable by old readers, run go test -update", m.Schema())
			}
		})
	}
}

// Old readers skip fields they do not know: a message from a newer
// writer with an extra field still decodes.
func TestUnknownFieldsIgnored(t *testing.T) {
	data := encode(t, &DocumentDeleted{ID: "1", Reason: "gone"})
	var extended map[string]any
	if err := msgpack.Unmarshal(data, &extended); err != nil {
		t.Fatal(err)
	}
	extended["added_later"] = []int{1, 2}
	data, err := msgpack.Marshal(extended)
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, SchemaDocumentDeleted.String(), data).(*DocumentDeleted)
	if got.ID != "1" || got.Reason != "gone" {
		t.Fatalf("decoded %+v", got)
	}
}

// generic decodes msgpack into maps, slices and scalars.
func generic(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := msgpack.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// zeroFields lists the paths of zero fields under v.
func zeroFields(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		return zeroFields(v.Elem(), path)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			if v.Interface().(time.Time).IsZero() {
				return []string{path}
			}
			return nil
		}
		var out []string
		for i := range v.NumField() {
			out = append(out, zeroFields(v.Field(i), path+"."+v.Type().Field(i).Name)...)
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			return []string{path}
		}
		var out []string
		for i := range v.Len() {
			out = append(out, zeroFields(v.Index(i), path+"["+strconv.Itoa(i)+"]")...)
		}
		return out
	default:
		if v.IsZero() {
			return []string{path}
		}
		return nil
	}
}

// utc sets every time.Time under v to UTC: msgpack decodes times in the
// local zone, which compares unequal with reflect.DeepEqual.
func utc(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			utc(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
			}
			return
		}
		for i := range v.NumField() {
			utc(v.Field(i))
		}
	case reflect.Slice:
		for i := range v.Len() {
			utc(v.Index(i))
		}
	}
}

func TestParseSchema(t *testing.T) {
	tests := []struct {
		in      string
		want    Schema
		wantErr string
	}{
		{"content.fetched/1", SchemaContentFetched, ""},
		{"dead.letter/12", Schema{"dead.letter", 12}, ""},
		{"content.fetched", Schema{}, "want <name>/<version>"},
		{"/1", Schema{}, "want <name>/<version>"},
		{"content.fetched/x", Schema{}, "bad version"},
		{"content.fetched/0", Schema{}, "bad version"},
		{"", Schema{}, "want <name>/<version>"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSchema(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || got.String() != tt.in {
				t.Fatalf("ParseSchema(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}
