// Package buildinfo says which build of conflux is running.
package buildinfo

import (
	"runtime/debug"
)

// version is set at link time: -ldflags "-X
// github.com/conflux-dev/conflux/pkg/buildinfo.version=v1.2.3".
var version string

// Version returns the link-time version, else the module version and VCS
// revision the Go toolchain stamped into the binary, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12]
			for _, m := range bi.Settings {
				if m.Key == "vcs.modified" && m.Value == "true" {
					v += ", modified"
				}
			}
			v += ")"
		}
	}
	return v + " " + bi.GoVersion
}
