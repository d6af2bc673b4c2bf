package instance

import (
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSecondStartShowsTheFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokentray.sock")
	var shown atomic.Int32
	release, err := Claim(path, func() { shown.Add(1) })
	require.NoError(t, err)

	_, err = Claim(path, func() { t.Error("the second instance must not serve") })
	require.ErrorIs(t, err, ErrRunning)
	require.Equal(t, int32(1), shown.Load(), "the running instance was asked to show itself")

	release()
	release2, err := Claim(path, func() {})
	require.NoError(t, err, "after the first quits, a new start runs")
	release2()
}

func TestStaleSocketIsReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokentray.sock")
	// A crashed instance leaves its socket file behind.
	l, err := net.Listen("unix", path)
	require.NoError(t, err)
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	require.NoError(t, l.Close())
	_, err = os.Stat(path)
	require.NoError(t, err)

	release, err := Claim(path, func() {})
	require.NoError(t, err)
	defer release()
	require.NoError(t, ask(path), "the new instance answers")
}

func TestSocketPathIsPrivate(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", t.TempDir())
	p, err := SocketPath("tokentray-x")
	require.NoError(t, err)
	fi, err := os.Stat(filepath.Dir(p))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())

	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	p, err = SocketPath("tokentray-x")
	require.NoError(t, err)
	require.Equal(t, "/run/user/1000/tokentray-x.sock", p)
}
