package desktop_test

import (
	"bufio"
	"github.com/tokentray/tokentray/testsupport/teststack"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/ui/desktop"
)

// TestHasTrayHost asks a real session bus: the test stack's, which runs a
// StatusNotifierWatcher, and a bare one without, like GNOME without the
// AppIndicator extension.
func TestHasTrayHost(t *testing.T) {
	env := teststack.Start(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", teststack.Getenv(env, "DBUS_SESSION_BUS_ADDRESS"))
	require.True(t, desktop.HasTrayHost(), "the stack's bus has a watcher")

	bare := "unix:path=" + filepath.Join(t.TempDir(), "bus")
	daemon := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address", "--address="+bare)
	out, err := daemon.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, daemon.Start())
	t.Cleanup(func() {
		_ = daemon.Process.Kill()
		_ = daemon.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not start")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bare)
	require.False(t, desktop.HasTrayHost(), "no watcher on the bare bus")

	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	require.False(t, desktop.HasTrayHost(), "no bus at all")
}
