package config

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// yamlKeys lists the dotted yaml keys of a config struct type: a.b.c for
// a nested struct, a[].b for a list of structs.
func yamlKeys(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" { // inline
			out = append(out, yamlKeys(f.Type, prefix)...)
			continue
		}
		key := prefix + name
		out = append(out, key)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.NumField() > 0 && ft.Field(0).Tag.Get("yaml") != "" {
			out = append(out, yamlKeys(ft, key+".")...)
		}
	}
	return out
}

// Every configuration key is documented in the README: its name appears
// there as a YAML key ("name:", also in a comment or a flow mapping) or
// in backquotes, so that an operator can
// read what each key does without the source.
func TestReadmeNamesEveryConfigKey(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range yamlKeys(reflect.TypeFor[Config](), "") {
		leaf := key[strings.LastIndex(key, ".")+1:]
		q := regexp.QuoteMeta(leaf)
		re := regexp.MustCompile("(?m)((^|[\\s{,#])" + q + ":|`[^`]*\\b" + q + "\\b[^`]*`)")
		if !re.Match(readme) {
			t.Errorf("README.md does not document the configuration key %s", key)
		}
	}
}
