// Package version says which tokentray this is: the release (kept in step
// with FyneApp.toml by a test in ui/desktop) and, for builds from a
// checkout, what `git describe` said when `make build` ran.
package version

import (
	"runtime/debug"
	"strings"
)

// Release is the version of the current release line.
const Release = "0.1.0"

// Describe is set by the Makefile: -ldflags "-X
// github.com/tokentray/tokentray/internal/version.Describe=$(git describe
// --tags --always --dirty)". Empty for a plain `go build`.
var Describe string

// String is the release and where this build comes from: "0.1.0 (v0.1.0-3-gabc1234)",
// "0.1.0 (abc1234, modified)" from Go's VCS stamp, or "0.1.0" alone.
func String() string {
	if Describe != "" {
		return Release + " (" + Describe + ")"
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if len(rev) > 7 {
			rev = rev[:7]
		}
		if rev != "" {
			if modified == "true" {
				rev += ", modified"
			}
			return Release + " (" + rev + ")"
		}
		if v := bi.Main.Version; v != "" && v != "(devel)" && !strings.HasPrefix(v, "v0.0.0-") {
			return Release + " (" + v + ")"
		}
	}
	return Release
}
