package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// The search-engine sink types.
const (
	SinkOpenSearch    = "opensearch"
	SinkElasticsearch = "elasticsearch"
)

// DefaultSinkName is the name of the sink that `sink:` configures.
const DefaultSinkName = "default"

// DefaultSink is the sink of Default(), and the starting point of each
// entry of `sinks:`, whose keys missing from the file keep these values.
func DefaultSink() Sink {
	return Sink{Type: SinkFiles, Dir: "./out", Index: "conflux", MaxDeleteShare: 0.5, FileMode: 0o600, DirMode: 0o700}
}

// SinkList returns the configured sinks: Sinks when set, else Sink named
// "default".
func (c Config) SinkList() []Sink {
	if len(c.Sinks) > 0 {
		return c.Sinks
	}
	s := c.Sink
	if s.Name == "" {
		s.Name = DefaultSinkName
	}
	return []Sink{s}
}

var sinkName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// validateSinks checks `sink:`, or each of `sinks:` with its name.
func (c Config) validateSinks(v *validator) {
	if len(c.Sinks) == 0 {
		c.Sink.validate(v, "sink")
		return
	}
	if !reflect.DeepEqual(c.Sink, DefaultSink()) {
		v.add("sinks", "set either sink or sinks, not both")
	}
	seen := map[string]bool{}
	for i, s := range c.Sinks {
		at := fmt.Sprintf("sinks[%d]", i)
		switch {
		case !sinkName.MatchString(s.Name):
			v.add(at+".name", "%q is not a sink name (1 to 32 letters, digits, - and _)", s.Name)
		case seen[strings.ToLower(s.Name)]:
			v.add(at+".name", "%q names two sinks", s.Name)
		}
		seen[strings.ToLower(s.Name)] = true
		s.validate(v, at)
	}
}

// validateSearch checks the keys of the opensearch and elasticsearch types.
func (s Sink) validateSearch(v *validator, at string) {
	if s.Type != SinkOpenSearch && s.Type != SinkElasticsearch {
		return
	}
	if len(s.URLs) == 0 {
		v.add(at+".urls", "required when %s.type is %s", at, s.Type)
	}
	for _, u := range s.URLs {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			v.add(at+".urls", "%q is not an http:// or https:// URL", u)
		}
	}
	v.required(at+".index", s.Index, " when "+at+".type is "+s.Type)
	if s.Index != strings.ToLower(s.Index) || strings.ContainsAny(s.Index, ` "*\<|,>/?#:`) {
		v.add(at+".index", "%q is not an index name (lower case, no spaces or \\/*?\"<>|,#:)", s.Index)
	}
	if s.APIKey.IsSet() && s.Type == SinkOpenSearch {
		v.add(at+".api_key", "is for elasticsearch; opensearch takes username and password")
	}
	if s.APIKey.IsSet() && (s.Username != "" || s.Password.IsSet()) {
		v.add(at+".api_key", "set api_key or username and password, not both")
	}
}
