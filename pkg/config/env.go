package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// overrides applies every CONFLUX_* variable that is set (see the package
// comment). Values are literal: no ${VAR} expansion.
func (p *parser) overrides(c *Config) error {
	var errs []error
	walkLeaves(reflect.ValueOf(c).Elem(), "", func(v reflect.Value, key string) {
		name := EnvName(key)
		val, ok := p.env(name)
		if !ok {
			return
		}
		p.origin[key] = name
		if isStructList(v) {
			errs = append(errs, p.listFromEnv(v, name, val))
			return
		}
		if err := setFromEnv(v, val); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", name, key, err))
		}
	})
	return errors.Join(errs...)
}

// setFromEnv stores the text of an environment variable into v.
func setFromEnv(v reflect.Value, val string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(val)
		return nil
	case reflect.Slice:
		var items []string
		for _, s := range strings.Split(val, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		v.Set(reflect.ValueOf(items))
		return nil
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: strings.TrimSpace(val)}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		return errors.New(describe(v, n, err))
	}
	return nil
}
