package trayapp_test

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testsupport/teststack"
	"github.com/tokentray/tokentray/ui/desktop"
)

// A start at login (ui/autostart) runs the tray app with --hidden: its tray
// item comes up, its window does not, whatever the settings say.
func TestStartHiddenFlag(t *testing.T) {
	bin := binary(t, repoRoot(t))
	env := append(teststack.Start(t), "TOKENTRAY_KEYCHAIN_SERVICE=tokentray-e2e-"+randomHex(4))
	app := startApp(t, filepath.Join(filepath.Dir(bin), "tokentray-gui"), env, "--hidden")
	trayMenu(t, sessionBus(t, env), app.cmd.Process.Pid)
	time.Sleep(time.Second) // a window would be mapped by now
	require.Zero(t, visibleWindows(t, env, desktop.Name), "no window at a hidden start")
	require.NoError(t, app.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, app.wait(t, 5*time.Second))
}
