package cli

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// Every conflux subcommand (and sub-subcommand) is in the README's
// command table or text as `conflux <command> …`, so that the README
// stays the operator's whole reference.
func TestReadmeNamesEveryCommand(t *testing.T) {
	readme, err := os.ReadFile("../../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands(reflect.TypeFor[cli](), "conflux") {
		if !strings.Contains(string(readme), "`"+c) {
			t.Errorf("README.md does not show the command %q", c)
		}
	}
}

// commands lists the command paths of a kong grammar type.
func commands(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("cmd"); !ok {
			continue
		}
		name := f.Tag.Get("name")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, prefix+" "+name)
		out = append(out, commands(f.Type, prefix+" "+name)...)
	}
	return out
}
