//go:build linux || freebsd || openbsd || netbsd || dragonfly

package clipboard

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeWlCopy stands in for wl-clipboard: like the real wl-copy it leaves a
// background server holding its stdout and stderr; it records what it was
// given in dir.
const fakeWlCopy = `#!/bin/sh
case "$1" in --help) echo "  -s, --sensitive   mark the copy as sensitive"; exit 0;; esac
cat > "$WL_OUT"
echo "$@" > "$WL_OUT.args"
sleep 30 &
echo $! > "$WL_OUT.pid"
exit 0
`

// A copy on Wayland returns once wl-copy has it, although wl-copy's server
// keeps running (and its output open), and it asks for the sensitive mark.
func TestWaylandCopyDoesNotWaitForWlCopysServer(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"wl-copy": fakeWlCopy, "wl-paste": "#!/bin/sh\ncat \"$WL_OUT\"\n"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755))
	}
	out := filepath.Join(dir, "copied")
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("WAYLAND_DISPLAY", "wayland-test")
	t.Setenv("WL_OUT", out)
	t.Cleanup(func() {
		if b, err := os.ReadFile(out + ".pid"); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	cb, err := New()
	require.NoError(t, err)
	require.IsType(t, &wayland{}, cb)
	done := make(chan error, 1)
	go func() { done <- cb.WriteAll("eyJ.token") }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("WriteAll waited for wl-copy's background server")
	}
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "eyJ.token", string(got), "on stdin")
	args, err := os.ReadFile(out + ".args")
	require.NoError(t, err)
	require.Equal(t, "--sensitive", strings.TrimSpace(string(args)))
	read, err := cb.ReadAll()
	require.NoError(t, err)
	require.Equal(t, "eyJ.token", read)
}
