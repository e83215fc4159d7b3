package config

import (
	"reflect"
	"strings"
)

// EnvPrefix starts the name of every override variable.
const EnvPrefix = "CONFLUX_"

// EnvName returns the environment variable that overrides a key given by
// its YAML path: "CONFLUX_" + the path in upper case with "." replaced by
// "_". EnvName("auth.api_token") is "CONFLUX_AUTH_API_TOKEN".
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Keys returns the YAML path of every settable key in file order, e.g.
// "site", "auth.mode", …, "log.format".
func Keys() []string {
	var keys []string
	walkLeaves(reflect.ValueOf(&Config{}).Elem(), "", func(_ reflect.Value, key string) {
		keys = append(keys, key)
	})
	return keys
}

// walkLeaves calls fn for every non-struct field reachable from the struct
// v, with its YAML path.
func walkLeaves(v reflect.Value, prefix string, fn func(v reflect.Value, key string)) {
	t := v.Type()
	for i := range t.NumField() {
		name := yamlName(t.Field(i))
		if name == "" {
			continue
		}
		key := joinKey(prefix, name)
		if f := v.Field(i); f.Kind() == reflect.Struct {
			walkLeaves(f, key, fn)
		} else {
			fn(f, key)
		}
	}
}

// fieldByName returns the index of the field of struct type t whose YAML
// name is name.
func fieldByName(t reflect.Type, name string) (int, bool) {
	for i := range t.NumField() {
		if yamlName(t.Field(i)) == name {
			return i, true
		}
	}
	return 0, false
}

// yamlNames lists the YAML names of the fields of struct type t.
func yamlNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if n := yamlName(t.Field(i)); n != "" {
			names = append(names, n)
		}
	}
	return names
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
