package desktop

import (
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/require"
)

// TestMetadataMatchesFyneAppToml keeps the code and `fyne package`'s file in step.
func TestMetadataMatchesFyneAppToml(t *testing.T) {
	var f struct {
		Details struct {
			Icon, Name, ID, Version string
			Build                   int
		}
		Migrations map[string]bool
	}
	_, err := toml.DecodeFile("../../FyneApp.toml", &f)
	require.NoError(t, err)
	m := Metadata()
	require.Equal(t, f.Details.ID, m.ID)
	require.Equal(t, f.Details.Name, m.Name)
	require.Equal(t, f.Details.Version, m.Version)
	require.Equal(t, f.Details.Build, m.Build)
	require.Equal(t, "assets/icon.png", f.Details.Icon)
	require.Equal(t, f.Migrations, m.Migrations)
	require.True(t, m.Migrations["fyneDo"])
}
