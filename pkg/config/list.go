package config

import (
	"errors"
	"fmt"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// isStructList reports whether v is a list of mappings (sinks:).
func isStructList(v reflect.Value) bool {
	return v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct
}

// decodeList decodes a YAML sequence of mappings into v, each entry
// starting from its type's defaults (DefaultSink for sinks) and checked
// key by key like any mapping, with paths like sinks[1].dsn.
func (p *parser) decodeList(v reflect.Value, n *yaml.Node, key string) error {
	if isNull(n) {
		v.SetZero()
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s: %s must be a list of mappings", p.at(n), key)
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	var errs []error
	for i, item := range n.Content {
		elem := out.Index(i)
		if d, ok := elementDefault(v.Type().Elem()); ok {
			elem.Set(d)
		}
		path := fmt.Sprintf("%s[%d]", key, i)
		p.origin[path] = p.at(item)
		if isNull(item) {
			errs = append(errs, fmt.Errorf("%s: %s is empty", p.at(item), path))
			continue
		}
		if err := p.decodeEntry(elem, item, path); err != nil {
			errs = append(errs, err)
		}
	}
	v.Set(out)
	return errors.Join(errs...)
}

// decodeEntry decodes one mapping of a list; ${VAR} expands as anywhere
// else, but CONFLUX_* variables do not reach inside lists.
func (p *parser) decodeEntry(v reflect.Value, n *yaml.Node, key string) error {
	saved := p.env
	p.env = func(name string) (string, bool) {
		if _, ok := saved(name); ok && len(name) > len(EnvPrefix) && name == EnvName(key) {
			return "", false
		}
		return saved(name)
	}
	defer func() { p.env = saved }()
	return p.decodeStruct(v, n, key)
}

func elementDefault(t reflect.Type) (reflect.Value, bool) {
	if t == reflect.TypeOf(Sink{}) {
		return reflect.ValueOf(DefaultSink()), true
	}
	return reflect.Value{}, false
}

// listFromEnv sets a list of mappings from a variable holding YAML (or
// JSON) flow text, e.g. CONFLUX_SINKS='[{name: pg, type: postgres, dsn: …}]'.
func (p *parser) listFromEnv(v reflect.Value, name, val string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(val), &doc); err != nil {
		return fmt.Errorf("%s: not a YAML list: %s", name, yamlLine.ReplaceAllString(err.Error(), ""))
	}
	if len(doc.Content) == 0 {
		v.SetZero()
		return nil
	}
	q := &parser{source: name, env: func(string) (string, bool) { return "", false }, origin: p.origin}
	return q.decodeList(v, doc.Content[0], "sinks")
}
