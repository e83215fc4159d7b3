package cli

import (
	"slices"
	"strings"

	"github.com/conflux-dev/conflux/pkg/config"
)

// rebuiltWhere says which sinks a rebuild wrote: the directory of a files
// sink, "the <type> sink <name>" of the others.
func rebuiltWhere(c config.Config, names []string) string {
	var out []string
	for _, s := range c.SinkList() {
		if len(names) > 0 && !slices.Contains(names, s.Name) {
			continue
		}
		switch {
		case s.Type == config.SinkFiles && len(c.Sinks) == 0:
			out = append(out, s.Dir)
		case s.Type == config.SinkFiles:
			out = append(out, s.Dir+" (sink "+s.Name+")")
		case len(c.Sinks) == 0:
			out = append(out, "the "+s.Type+" sink")
		default:
			out = append(out, "the "+s.Type+" sink "+s.Name)
		}
	}
	return strings.Join(out, ", ")
}
