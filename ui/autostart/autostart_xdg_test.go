//go:build !windows && !darwin

package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestXDGAutostartEntry(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	entry := filepath.Join(cfg, "autostart", "tokentray.desktop")

	on, err := Enabled()
	require.NoError(t, err)
	require.False(t, on)
	require.NoError(t, Disable(), "off when already off")

	gui := `/opt/token tray/tokentray-gui$1`
	require.NoError(t, Enable(gui))
	on, err = Enabled()
	require.NoError(t, err)
	require.True(t, on)
	require.Equal(t, entry, Location())
	b, err := os.ReadFile(entry)
	require.NoError(t, err)
	require.Contains(t, string(b), "Exec=\"/opt/token tray/tokentray-gui\\$1\" --hidden\n", "quoted as the desktop entry spec says")
	if _, err := exec.LookPath("desktop-file-validate"); err == nil {
		out, err := exec.Command("desktop-file-validate", entry).CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Empty(t, string(out))
	}

	require.Error(t, Enable("tokentray-gui"), "only an absolute path")
	require.NoError(t, Disable())
	_, err = os.Stat(entry)
	require.ErrorIs(t, err, os.ErrNotExist)
}
