package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads the YAML file at path and builds the configuration from it and
// the process environment: defaults, the file, ${VAR} expansion, CONFLUX_*
// overrides, then Validate (see the package comment). Errors name the file,
// the line and the key, or the variable.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path, os.LookupEnv)
}

// Parse is Load on a file already read: data is its text, source names it in
// errors ("conflux.yaml"), and env looks up environment variables (nil: an
// empty environment; os.LookupEnv: the process's).
func Parse(data []byte, source string, env func(string) (string, bool)) (Config, error) {
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	p := &parser{source: source, env: env, origin: map[string]string{}}
	c := Default()
	if err := p.file(data, &c); err != nil {
		return Config{}, err
	}
	if err := p.overrides(&c); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, p.locate(err)
	}
	return c, nil
}

// parser decodes one file and remembers where each key came from, so that
// validation errors can point at the line or the variable.
type parser struct {
	source string
	env    func(string) (string, bool)
	origin map[string]string // key → "conflux.yaml:12" or "CONFLUX_NATS_URL"
}

func (p *parser) file(data []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file: defaults and the environment only
		}
		return p.syntaxError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return fmt.Errorf("%s:%d: a second YAML document; the file must hold one", p.source, extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return p.syntaxError(err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	return p.decode(reflect.ValueOf(c).Elem(), doc.Content[0], "")
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns "yaml: line 3: did not find expected key" into
// "conflux.yaml:3: did not find expected key".
func (p *parser) syntaxError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", p.source, m[1], msg[len(m[0]):])
	}
	return fmt.Errorf("%s: %s", p.source, strings.TrimPrefix(msg, "yaml: "))
}

func (p *parser) at(n *yaml.Node) string { return p.source + ":" + strconv.Itoa(n.Line) }

// decode stores node n into v, the field at key (the root when key is "").
// It checks every mapping key against the struct's YAML names, so unknown
// keys fail with their full path and line, which yaml.v3's own KnownFields
// check (Decoder only, not Node.Decode) cannot give.
func (p *parser) decode(v reflect.Value, n *yaml.Node, key string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if v.Kind() == reflect.Struct {
		return p.decodeStruct(v, n, key)
	}
	if isStructList(v) {
		return p.decodeList(v, n, key)
	}
	if _, overridden := p.env(EnvName(key)); overridden {
		return nil // the variable replaces this value: no expansion, no decoding
	}
	if isNull(n) {
		return p.decodeNull(v, n, key)
	}
	if err := p.expand(n, v.Type(), key); err != nil {
		return err
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		return fmt.Errorf("%s: %s: %s", p.at(n), key, describe(v, n, err))
	}
	return nil
}

func (p *parser) decodeStruct(v reflect.Value, n *yaml.Node, key string) error {
	if isNull(n) {
		return nil // "oauth2:" with nothing under it keeps the defaults
	}
	if n.Kind != yaml.MappingNode {
		what := key
		if what == "" {
			what = "the file"
		}
		return fmt.Errorf("%s: %s must be a mapping of keys", p.at(n), what)
	}
	var errs []error
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		path := joinKey(key, k.Value)
		idx, ok := fieldByName(v.Type(), k.Value)
		switch {
		case k.Kind != yaml.ScalarNode || !ok:
			errs = append(errs, fmt.Errorf("%s: unknown key %s%s", p.at(k), path, suggest(k.Value, key, v.Type())))
			continue
		case seen[k.Value]:
			errs = append(errs, fmt.Errorf("%s: key %s appears twice", p.at(k), path))
			continue
		}
		seen[k.Value] = true
		p.origin[path] = p.at(k)
		if err := p.decode(v.Field(idx), val, path); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// decodeNull handles "key:" with no value: strings and lists become empty;
// other kinds have no sensible empty value and are errors.
func (p *parser) decodeNull(v reflect.Value, n *yaml.Node, key string) error {
	switch v.Kind() {
	case reflect.String, reflect.Slice:
		v.SetZero()
		return nil
	}
	return fmt.Errorf("%s: %s: no value; remove the key to keep the default %v", p.at(n), key, v.Interface())
}

// expand replaces ${VAR} in every scalar under n. An expanded scalar for a
// string or list field stays a string; for other kinds its type is resolved
// from the expanded text, so "replicas: ${R}" with R=3 is the number 3.
func (p *parser) expand(n *yaml.Node, t reflect.Type, key string) error {
	if n.Kind != yaml.ScalarNode {
		var errs []error
		for _, c := range n.Content {
			errs = append(errs, p.expand(c, t, key))
		}
		return errors.Join(errs...)
	}
	if !strings.Contains(n.Value, "${") {
		return nil
	}
	s, err := expandVars(n.Value, p.env)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", p.at(n), key, err)
	}
	n.Value = s
	if t.Kind() == reflect.String || t.Kind() == reflect.Slice {
		n.Tag = "!!str"
	} else {
		n.Tag, n.Style = "", 0
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe explains a decoding error by the field's kind. It never quotes
// the value of a Secret.
func describe(v reflect.Value, n *yaml.Node, err error) string {
	if _, ok := v.Addr().Interface().(yaml.Unmarshaler); ok {
		return err.Error()
	}
	switch v.Kind() {
	case reflect.Bool:
		return fmt.Sprintf("%q is not true or false", n.Value)
	case reflect.Int, reflect.Int64:
		return fmt.Sprintf("%q is not a whole number", n.Value)
	case reflect.Float64:
		return fmt.Sprintf("%q is not a number", n.Value)
	case reflect.Slice:
		return "want a list of strings, e.g. [ENG, OPS]"
	default:
		return "want a string"
	}
}

// suggest returns " (did you mean auth.email?)" when a key of the same
// mapping is within two edits of the unknown name.
func suggest(name, prefix string, t reflect.Type) string {
	best, bestD := "", 3
	for _, cand := range yamlNames(t) {
		if d := editDistance(strings.ToLower(name), cand); d < bestD {
			best, bestD = cand, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + joinKey(prefix, best) + "?)"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// locate prefixes each validation error with where its key was set: the
// file and line, the CONFLUX_* variable, or the file alone for a default.
func (p *parser) locate(err error) error {
	var errs []error
	for _, e := range unjoin(err) {
		var fe *FieldError
		if !errors.As(e, &fe) {
			errs = append(errs, fmt.Errorf("%s: %w", p.source, e))
			continue
		}
		errs = append(errs, fmt.Errorf("%s: %w", p.originOf(fe.Key), e))
	}
	return errors.Join(errs...)
}

func (p *parser) originOf(key string) string {
	for k := key; k != ""; {
		if o, ok := p.origin[k]; ok {
			return o
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return p.source
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
