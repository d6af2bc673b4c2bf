//go:build linux || freebsd || openbsd || netbsd || dragonfly

package clipboard

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The tests run against the X server of $DISPLAY (Xvfb in make test) and
// read the clipboard as users' programs do, with xclip.

func TestMain(m *testing.M) {
	// Command starts this test binary as the helper.
	if len(os.Args) > 1 && os.Args[1] == HelperCommand {
		os.Exit(HelperMain(os.Args[2:], os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

func needX(t *testing.T) *X11 {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("DISPLAY is not set: run inside testsupport/teststack/teststack.sh (make test does)")
	}
	x, err := NewX11("")
	require.NoError(t, err)
	t.Cleanup(x.Close)
	return x
}

// xclipOut reads the clipboard as target; ok is false when nothing offers it.
func xclipOut(t *testing.T, target string) (string, bool) {
	t.Helper()
	out, err := exec.Command("xclip", "-o", "-selection", "clipboard", "-t", target).Output()
	return string(out), err == nil
}

// xclipIn copies text as another program would. xclip forks an owner that
// stays until the selection is taken again.
func xclipIn(t *testing.T, text string) {
	t.Helper()
	cmd := exec.Command("xclip", "-i", "-selection", "clipboard")
	cmd.Stdin = strings.NewReader(text)
	require.NoError(t, cmd.Run())
}

func TestX11OffersTheTextMarkedSecret(t *testing.T) {
	x := needX(t)
	require.NoError(t, x.WriteAll("eyJ.token-1"))

	targets, ok := xclipOut(t, "TARGETS")
	require.True(t, ok)
	for _, want := range []string{"TARGETS", "UTF8_STRING", "STRING", "TEXT", "text/plain", "text/plain;charset=utf-8", "x-kde-passwordManagerHint"} {
		require.Contains(t, strings.Fields(targets), want)
	}
	for _, target := range []string{"UTF8_STRING", "STRING", "text/plain;charset=utf-8"} {
		got, ok := xclipOut(t, target)
		require.True(t, ok, target)
		require.Equal(t, "eyJ.token-1", got, target)
	}
	hint, ok := xclipOut(t, "x-kde-passwordManagerHint")
	require.True(t, ok)
	require.Equal(t, "secret", hint)
	_, ok = xclipOut(t, "image/png")
	require.False(t, ok, "a target not offered is refused")

	// A second copy replaces the first.
	require.NoError(t, x.WriteAll("eyJ.token-2"))
	got, _ := xclipOut(t, "UTF8_STRING")
	require.Equal(t, "eyJ.token-2", got)
	read, err := x.ReadAll()
	require.NoError(t, err)
	require.Equal(t, "eyJ.token-2", read)
}

func TestX11LosesTheSelectionToAnotherCopy(t *testing.T) {
	x := needX(t)
	require.NoError(t, x.WriteAll("eyJ.mine"))
	lost := x.Lost()
	xclipIn(t, "theirs")
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("Lost was not closed when another program copied")
	}
	got, err := x.ReadAll()
	require.NoError(t, err)
	require.Equal(t, "theirs", got, "read from the other program")

	// Giving up a selection that is no longer ours leaves theirs alone.
	require.NoError(t, x.WriteAll(""))
	got, _ = xclipOut(t, "UTF8_STRING")
	require.Equal(t, "theirs", got)
}

func TestX11ClearEmptiesTheClipboard(t *testing.T) {
	x := needX(t)
	require.NoError(t, x.WriteAll("eyJ.token"))
	require.NoError(t, x.WriteAll(""))
	_, ok := xclipOut(t, "UTF8_STRING")
	require.False(t, ok, "no owner after the clear")
	got, err := x.ReadAll()
	require.NoError(t, err)
	require.Equal(t, "", got)
}

// A command's copy outlives the command: the detached helper serves it,
// and takes it off after ClearAfter.
func TestCommandCopyOutlivesTheCallerAndClears(t *testing.T) {
	needX(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	require.NoError(t, Command{Exe: exe, ClearAfter: 2 * time.Second}.WriteAll("eyJ.from-cli"))
	got, ok := xclipOut(t, "UTF8_STRING")
	require.True(t, ok)
	require.Equal(t, "eyJ.from-cli", got)
	hint, _ := xclipOut(t, "x-kde-passwordManagerHint")
	require.Equal(t, "secret", hint)
	require.Eventually(t, func() bool { _, ok := xclipOut(t, "UTF8_STRING"); return !ok }, 10*time.Second, 100*time.Millisecond,
		"the helper takes the token off when its time is up")
}

// The clear takes off only the token: what the user copied since is theirs.
func TestCommandClearSparesTheUsersCopy(t *testing.T) {
	needX(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	require.NoError(t, Command{Exe: exe, ClearAfter: time.Second}.WriteAll("eyJ.from-cli"))
	xclipIn(t, "the user's own")
	time.Sleep(2 * time.Second)
	got, ok := xclipOut(t, "UTF8_STRING")
	require.True(t, ok)
	require.Equal(t, "the user's own", got)
}

// Never a hang: a helper that cannot copy says why.
func TestCommandReportsTheHelpersError(t *testing.T) {
	t.Setenv("DISPLAY", ":97") // no such server
	t.Setenv("WAYLAND_DISPLAY", "")
	exe, err := os.Executable()
	require.NoError(t, err)
	err = Command{Exe: exe}.WriteAll("eyJ.token")
	require.ErrorContains(t, err, "no clipboard")
	require.NotContains(t, err.Error(), "eyJ.token")
}

// An X server that accepts and then never answers costs a copy waitX, not
// a hang.
func TestX11GivesUpOnASilentServer(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "x") + ":0"
	ln, err := net.Listen("unix", sock)
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never answered
		}
	}()
	start := time.Now()
	_, err = NewX11(sock)
	require.ErrorIs(t, err, errNoAnswer)
	require.Less(t, time.Since(start), waitX+time.Second)
}
