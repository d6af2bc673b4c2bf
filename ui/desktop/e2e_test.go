package desktop_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testserver"
	"github.com/tokentray/tokentray/ui/desktop"
	"github.com/tokentray/tokentray/ui/tray"
)

// TestTrayEndToEnd runs the built binary in a private desktop session (Xvfb,
// a session bus, gnome-keyring, a StatusNotifierWatcher: scripts/teststack.sh)
// against the real authorization
// server, and clicks its tray menu over com.canonical.dbusmenu as a panel
// would. The clipboard is read with xclip.
func TestTrayEndToEnd(t *testing.T) {
	root := repoRoot(t)
	env := stackEnv(t, root)
	bin := binary(t, root)
	srv := testserver.Start(t, testserver.Options{AccessTTL: time.Hour})
	env = append(env, "TOKENTRAY_KEYCHAIN_SERVICE=tokentray-e2e-"+randomHex(4))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// A profile added and signed in with the CLI.
	cli := func(stdin string, args ...string) string {
		t.Helper()
		c := exec.CommandContext(ctx, bin, args...)
		c.Env = env
		c.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		require.NoError(t, c.Run(), "tokentray %s: %s", strings.Join(args, " "), errb.String())
		return strings.TrimSpace(out.String())
	}
	cli(testserver.PostClientSecret, "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PostClientID,
		"--audience", testserver.APIAudience, "--scope", "openid offline_access read:things", "--client-secret-stdin")
	cli(srv.Mint(t, testserver.PostClientID, "openid offline_access read:things", testserver.APIAudience), "login", "dev", "--refresh-token-stdin")

	// The app, and its tray item on the bus.
	started := time.Now()
	app := exec.Command(bin)
	app.Env = env
	var appErr bytes.Buffer
	app.Stdout, app.Stderr = &appErr, &appErr
	require.NoError(t, app.Start())
	t.Cleanup(func() {
		_ = app.Process.Kill()
		_ = app.Wait()
		if t.Failed() {
			t.Logf("tokentray output:\n%s", appErr.String())
		}
	})
	bus := sessionBus(t, env)
	sni := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", app.Process.Pid)
	eventually(t, 10*time.Second, "the tray item on the bus", func() bool {
		var has bool
		return bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, sni).Store(&has) == nil && has
	})
	t.Logf("tray item on the bus %v after start", time.Since(started).Round(time.Millisecond))
	menu := bus.Object(sni, "/StatusNotifierMenu")

	// Clicking the profile's entry copies a valid access token.
	click(t, menu, "dev · no token yet")
	first := eventuallyClipboard(t, env, "")
	require.True(t, srv.Active(t, first), "the server says the copied token is active")
	require.Equal(t, first, cli("", "token", "dev"), "the CLI gets the same cached token: one cache, one engine")

	// The label exported on the bus follows.
	eventually(t, 5*time.Second, "the label after the copy", func() bool {
		_, ok := find(layout(t, menu), "dev · 59 min left")
		return ok
	})

	// Refresh now & copy: a different, active token.
	devID, ok := find(layout(t, menu), "dev · 59 min left")
	require.True(t, ok)
	sub := findIn(t, layout(t, menu), devID, tray.LabelRefresh)
	callEvent(t, menu, sub)
	second := eventuallyClipboard(t, env, first)
	require.NotEqual(t, first, second)
	require.True(t, srv.Active(t, second))
	require.Equal(t, second, cli("", "token", "dev"))

	// A second start shows the running instance instead of adding a tray icon.
	again := exec.CommandContext(ctx, bin)
	again.Env = env
	msg, err := again.CombinedOutput()
	require.NoError(t, err)
	require.Contains(t, string(msg), "already running")
	var names []string
	require.NoError(t, bus.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names))
	var items []string
	for _, name := range names {
		if strings.HasPrefix(name, "org.kde.StatusNotifierItem-") {
			items = append(items, name)
		}
	}
	require.Equal(t, []string{sni}, items, "one tray item")

	// The main window, for the README.
	if shot := os.Getenv("TOKENTRAY_SCREENSHOT"); shot != "" {
		if !filepath.IsAbs(shot) {
			shot = filepath.Join(root, shot) // relative to the repository, not this package
		}
		screenshot(t, env, shot)
	}
}

// TestCLIStaysQuietUnderCUTF8 runs the binary (which links Fyne) the way
// scripts in containers do: no Fyne log may reach stderr.
func TestCLIStaysQuietUnderCUTF8(t *testing.T) {
	bin := binary(t, repoRoot(t))
	for _, lang := range []string{"C.UTF-8", "C", "en_US.UTF-8"} {
		c := exec.Command(bin, "--help")
		c.Env = append(os.Environ(), "LANG="+lang, "LC_ALL=", "LANGUAGE=")
		var stderr bytes.Buffer
		c.Stderr = &stderr
		require.NoError(t, c.Run())
		require.Empty(t, stderr.String(), "LANG=%s", lang)
	}
}

func repoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// stackEnv returns the environment of a private desktop session of this
// test's own (scripts/teststack.sh), stopped when the test ends. It is not
// the one `make test` started: other packages' tests run at the same time
// and use that session's clipboard and tray host.
func stackEnv(t testing.TB, root string) []string {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(root, "scripts", "teststack.sh")
	start := exec.Command("bash", script, "start", dir)
	out, err := start.CombinedOutput()
	require.NoError(t, err, "teststack start: %s", out)
	t.Cleanup(func() {
		if out, err := exec.Command("bash", script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("teststack stop: %v: %s", err, out)
		}
	})
	dump, err := exec.Command("bash", "-c", `. "$1/env" && env -0`, "bash", dir).Output()
	require.NoError(t, err)
	var env []string
	for _, kv := range strings.Split(string(dump), "\x00") {
		if kv != "" {
			env = append(env, kv)
		}
	}
	return env
}

func getenv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// binary is $TOKENTRAY_BIN or a fresh build of the repository's main package.
func binary(t testing.TB, root string) string {
	t.Helper()
	if b := os.Getenv("TOKENTRAY_BIN"); b != "" {
		return b
	}
	bin := filepath.Join(t.TempDir(), "tokentray")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

func sessionBus(t testing.TB, env []string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(getenv(env, "DBUS_SESSION_BUS_ADDRESS"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// item is one node of a com.canonical.dbusmenu layout.
type item struct {
	id       int32
	label    string
	children []item
}

func layout(t testing.TB, menu dbus.BusObject) item {
	t.Helper()
	var rev uint32
	var root []any
	call := menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	require.NoError(t, call.Err)
	require.NoError(t, call.Store(&rev, &root))
	return parseItem(t, root)
}

func parseItem(t testing.TB, v []any) item {
	t.Helper()
	require.Len(t, v, 3)
	it := item{id: v[0].(int32)}
	if props, ok := v[1].(map[string]dbus.Variant); ok {
		if l, ok := props["label"]; ok {
			it.label, _ = l.Value().(string)
		}
	}
	for _, c := range v[2].([]dbus.Variant) {
		it.children = append(it.children, parseItem(t, c.Value().([]any)))
	}
	return it
}

// find returns the id of the first item labelled label.
func find(root item, label string) (int32, bool) {
	if root.label == label {
		return root.id, true
	}
	for _, c := range root.children {
		if id, ok := find(c, label); ok {
			return id, true
		}
	}
	return 0, false
}

// findIn finds label among the children of the item with id parent.
func findIn(t testing.TB, root item, parent int32, label string) int32 {
	t.Helper()
	var walk func(item) (int32, bool)
	walk = func(it item) (int32, bool) {
		if it.id == parent {
			for _, c := range it.children {
				if c.label == label {
					return c.id, true
				}
			}
		}
		for _, c := range it.children {
			if id, ok := walk(c); ok {
				return id, true
			}
		}
		return 0, false
	}
	id, ok := walk(root)
	require.True(t, ok, "no %q under item %d", label, parent)
	return id
}

// click waits for an item labelled label (the menu fills in
// asynchronously) and clicks it.
func click(t testing.TB, menu dbus.BusObject, label string) {
	t.Helper()
	var id int32
	eventually(t, 10*time.Second, "menu item "+label, func() bool {
		var ok bool
		id, ok = find(layout(t, menu), label)
		return ok
	})
	callEvent(t, menu, id)
}

func callEvent(t testing.TB, menu dbus.BusObject, id int32) {
	t.Helper()
	require.NoError(t, menu.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)).Err)
}

func clipboard(env []string) string {
	c := exec.Command("xclip", "-o", "-selection", "clipboard")
	c.Env = env
	out, _ := c.Output()
	return string(out)
}

// eventuallyClipboard waits until the clipboard holds something other than old.
func eventuallyClipboard(t testing.TB, env []string, old string) string {
	t.Helper()
	var got string
	eventually(t, 10*time.Second, "a new clipboard value", func() bool {
		got = clipboard(env)
		return got != "" && got != old
	})
	return got
}

func screenshot(t testing.TB, env []string, path string) {
	t.Helper()
	find := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^"+desktop.Name+"$")
	find.Env = env
	out, err := find.Output()
	require.NoError(t, err)
	win := strings.Fields(string(out))
	require.NotEmpty(t, win)
	imp := exec.Command("import", "-window", win[0], path)
	imp.Env = env
	msg, err := imp.CombinedOutput()
	require.NoError(t, err, "import: %s", msg)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// visibleWindows counts the mapped windows titled exactly title.
func visibleWindows(tb testing.TB, env []string, title string) int {
	tb.Helper()
	c := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^"+regexp.QuoteMeta(title)+"$")
	c.Env = env
	out, _ := c.Output() // exit 1 when none
	return len(strings.Fields(string(out)))
}

// closeWindow asks the window manager to close the window titled title, as
// its close button does (_NET_CLOSE_WINDOW).
func closeWindow(tb testing.TB, env []string, title string) {
	tb.Helper()
	c := exec.Command("wmctrl", "-F", "-c", title)
	c.Env = env
	if out, err := c.CombinedOutput(); err != nil {
		tb.Fatalf("wmctrl -c %q: %v: %s", title, err, out)
	}
}
