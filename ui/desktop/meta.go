package desktop

import (
	"fyne.io/fyne/v2"
	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/internal/version"
)

// App metadata; FyneApp.toml holds the same for `fyne package`, and
// meta_test.go keeps them in step.
const (
	ID      = "io.github.tokentray.tokentray"
	Name    = "tokentray"
	Version = version.Release
	Build   = 1
)

// Metadata is what the app reports about itself. It is set in code because
// a binary built with plain `go build` reads FyneApp.toml only from its own
// directory or the working directory.
func Metadata() fyne.AppMetadata {
	return fyne.AppMetadata{
		ID:         ID,
		Name:       Name,
		Version:    Version,
		Build:      Build,
		Icon:       assets.Icon,
		Release:    true,
		Custom:     map[string]string{},
		Migrations: map[string]bool{"fyneDo": true},
	}
}
