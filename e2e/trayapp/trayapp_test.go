package trayapp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/testsupport/teststack"
	"github.com/tokentray/tokentray/ui/desktop"
	"github.com/tokentray/tokentray/ui/tray"
	"github.com/tokentray/tokentray/ui/window"
)

// TestTrayEndToEnd runs the built binary in a private desktop session (Xvfb,
// a session bus, gnome-keyring, a StatusNotifierWatcher, dunst and openbox:
// testsupport/teststack/teststack.sh) against the real authorization server, and clicks
// its tray menu over com.canonical.dbusmenu as a panel would. The clipboard
// is read with xclip, notifications from dunst's history, windows with
// xdotool and closed through the window manager with wmctrl.
func TestTrayEndToEnd(t *testing.T) {
	root := repoRoot(t)
	env := teststack.Start(t)
	bin := binary(t, root)
	srv := testserver.Start(t, testserver.Options{Stock: true, AccessTTL: time.Hour})
	env = append(env, "TOKENTRAY_KEYCHAIN_SERVICE=tokentray-e2e-"+randomHex(4))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// A profile added and signed in with the CLI.
	cli := cliRunner(t, ctx, bin, env)
	cli(testserver.PostClientSecret, "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PostClientID,
		"--param", "resource="+testserver.APIAudience, "--scope", "openid offline_access read:things", "--client-secret-stdin")
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
	hasItem := func() bool {
		var has bool
		return bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, sni).Store(&has) == nil && has
	}
	eventually(t, 10*time.Second, "the tray item on the bus", hasItem)
	t.Logf("tray item on the bus %v after start", time.Since(started).Round(time.Millisecond))
	menu := bus.Object(sni, "/StatusNotifierMenu")
	hasLabel := func(label string) func() bool {
		return func() bool {
			_, ok := find(layout(t, menu), label)
			return ok
		}
	}

	// A refresh by another process (the CLI) shows in the tray at once, not
	// at the next periodic re-read of the keychain (minutes away).
	eventually(t, 10*time.Second, "the profile in the tray", hasLabel("dev · no token yet"))
	refreshed := time.Now()
	fromCLI := cli("", "token", "dev", "--refresh")
	eventually(t, 3*time.Second, "the CLI's refresh in the tray label", hasLabel("dev · 59 min left"))
	t.Logf("the CLI's refresh showed in the tray %v after the CLI started", time.Since(refreshed).Round(time.Millisecond))

	// Clicking the profile's entry copies a valid access token: the one the
	// CLI cached, so one cache, one engine.
	click(t, menu, "dev · 59 min left")
	first := eventuallyClipboard(t, env, "")
	require.Equal(t, fromCLI, first)
	require.True(t, srv.Active(t, first), "the server says the copied token is active")

	// ... and says so in a notification, as the notification daemon shows it.
	var note notification
	eventually(t, 5*time.Second, "the copy's notification in dunst's history", func() bool {
		for _, n := range notifications(t, env) {
			if strings.HasPrefix(n.Body, "Access token for dev copied — valid ") {
				note = n
				return true
			}
		}
		return false
	})
	require.Regexp(t, `^Access token for dev copied — valid (59|60) min$`, note.Body)
	require.Equal(t, "tokentray", note.Summary)

	// Refresh now & copy: a different, active token.
	devID, ok := find(layout(t, menu), "dev · 59 min left")
	require.True(t, ok)
	sub := findIn(t, layout(t, menu), devID, tray.LabelRefresh)
	callEvent(t, menu, sub)
	second := eventuallyClipboard(t, env, first)
	require.NotEqual(t, first, second)
	require.True(t, srv.Active(t, second))
	require.Equal(t, second, cli("", "token", "dev"))

	// Closing the window through the window manager hides it: the process
	// and its tray item stay, and Open tokentray shows it again.
	title := desktop.Name
	eventually(t, 10*time.Second, "the window shown", func() bool { return visibleWindows(t, env, title) == 1 })
	closeWindow(t, env, title)
	eventually(t, 5*time.Second, "the window hidden", func() bool { return visibleWindows(t, env, title) == 0 })
	time.Sleep(300 * time.Millisecond) // a quit would take about this long
	require.Nil(t, app.ProcessState, "the app is still running")
	require.NoError(t, app.Process.Signal(syscall.Signal(0)), "the app is still running")
	require.True(t, hasItem(), "the tray item is still on the bus")
	clickUntil(t, "the window shown again", func() { click(t, menu, tray.LabelOpen) }, func() bool { return visibleWindows(t, env, title) == 1 })

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

// TestHiddenStart starts the demo the way the start_hidden setting does:
// no window, and Fyne's loop parked while the tray goes on working. Tray
// clicks copy, the window opens and closes, and both Quit in the tray and
// SIGTERM end a hidden app at once.
func TestHiddenStart(t *testing.T) {
	root := repoRoot(t)
	env := teststack.Start(t)
	bin := binary(t, root)
	mustWrite(t, filepath.Join(teststack.Getenv(env, "XDG_CONFIG_HOME"), "fyne", desktop.ID, "preferences.json"), `{"`+window.PrefStartHidden+`":true}`)
	const title = "tokentray demo"
	bus := sessionBus(t, env)

	app := startApp(t, bin, env, "demo")
	menu := trayMenu(t, bus, app.cmd.Process.Pid)
	eventually(t, 30*time.Second, "the demo's profiles in the tray", func() bool {
		return len(profileItems(layout(t, menu))) >= 5
	})
	require.Zero(t, visibleWindows(t, env, title), "started hidden")
	settleMenu(t, menu, time.Second) // the demo fetches first tokens

	// Copies while hidden, after the window was shown, and once it is
	// hidden again.
	require.Regexp(t, `^ey[\w-]+\.[\w-]+\.[\w-]+$`, clipboardAfter(t, env, func() { clickLabel(t, menu, "prod-api", "") }))
	clickUntil(t, "the window shown", func() { clickLabel(t, menu, "", tray.LabelOpen) }, func() bool { return visibleWindows(t, env, title) == 1 })
	require.Regexp(t, `^ey`, clipboardAfter(t, env, func() { clickLabel(t, menu, "prod-api", tray.LabelRefresh) }))
	closeWindow(t, env, title)
	eventually(t, 5*time.Second, "the window hidden", func() bool { return visibleWindows(t, env, title) == 0 })
	require.Regexp(t, `^ey`, clipboardAfter(t, env, func() { clickLabel(t, menu, "staging", "") }))

	clickUntil(t, "the app gone after Quit", func() { clickLabel(t, menu, "", "Quit") }, func() bool {
		select {
		case <-app.exited:
			return true
		default:
			return false
		}
	})
	require.NoError(t, app.wait(t, time.Second), "Quit in the tray ends the app")

	again := startApp(t, bin, env, "demo")
	eventually(t, 30*time.Second, "the second demo's profiles in the tray", func() bool {
		return len(profileItems(layout(t, trayMenu(t, bus, again.cmd.Process.Pid)))) >= 5
	})
	require.NoError(t, again.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, again.wait(t, 5*time.Second), "SIGTERM ends a hidden app")
}

// cliRunner returns a function that runs the command line of bin in env
// with stdin, fails t unless it exits 0, and returns its trimmed stdout.
func cliRunner(t *testing.T, ctx context.Context, bin string, env []string) func(stdin string, args ...string) string {
	return func(stdin string, args ...string) string {
		t.Helper()
		c := exec.CommandContext(ctx, bin, args...)
		c.Env = env
		c.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		require.NoError(t, c.Run(), "tokentray %s: %s", strings.Join(args, " "), errb.String())
		return strings.TrimSpace(out.String())
	}
}

// runningApp is a started tokentray, killed when the test ends.
type runningApp struct {
	cmd    *exec.Cmd
	out    bytes.Buffer
	exited chan struct{}
	err    error
}

func startApp(tb testing.TB, bin string, env []string, args ...string) *runningApp {
	tb.Helper()
	r := &runningApp{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	r.cmd.Env = env
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	require.NoError(tb, r.cmd.Start())
	go func() {
		r.err = r.cmd.Wait()
		close(r.exited)
	}()
	tb.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		<-r.exited
		if tb.Failed() {
			tb.Logf("tokentray %s output:\n%s", strings.Join(args, " "), r.out.String())
		}
	})
	return r
}

// wait waits for the app to exit and returns how it did.
func (r *runningApp) wait(tb testing.TB, within time.Duration) error {
	tb.Helper()
	select {
	case <-r.exited:
		return r.err
	case <-time.After(within):
		tb.Fatalf("still running after %v", within)
		return nil
	}
}

// trayMenu waits for pid's tray item and returns its menu.
func trayMenu(tb testing.TB, bus *dbus.Conn, pid int) dbus.BusObject {
	tb.Helper()
	sni := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", pid)
	eventually(tb, 10*time.Second, "the tray item on the bus", func() bool {
		var has bool
		return bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, sni).Store(&has) == nil && has
	})
	return bus.Object(sni, "/StatusNotifierMenu")
}

// clipboardAfter puts a marker on the clipboard, runs action and returns
// the clipboard's next value.
func clipboardAfter(tb testing.TB, env []string, action func()) string {
	tb.Helper()
	marker := "marker-" + randomHex(4)
	setClipboard(tb, env, marker)
	var got string
	clickUntil(tb, "a new clipboard value", action, func() bool {
		got = clipboard(env)
		return got != "" && got != marker
	})
	return got
}

func setClipboard(tb testing.TB, env []string, value string) {
	tb.Helper()
	set := exec.Command("xclip", "-i", "-selection", "clipboard")
	set.Env = env
	set.Stdin = strings.NewReader(value)
	// No pipes: xclip forks an owner of the selection that keeps its
	// stdout and stderr, and waiting for those would wait for its end.
	require.NoError(tb, set.Run())
	eventually(tb, 5*time.Second, "the value on the clipboard", func() bool { return clipboard(env) == value })
}

func repoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// binary is $TOKENTRAY_BIN or a fresh build of the repository's main package.
func binary(t testing.TB, root string) string {
	t.Helper()
	if b := os.Getenv("TOKENTRAY_BIN"); b != "" {
		return b
	}
	// Both executables, side by side: `tokentray` starts the tray app
	// found beside it.
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator), ".", "./cmd/tokentray-gui")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return filepath.Join(dir, "tokentray")
}

func sessionBus(t testing.TB, env []string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(teststack.Getenv(env, "DBUS_SESSION_BUS_ADDRESS"))
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
	it, _ := layoutRev(t, menu)
	return it
}

// layoutRev is the menu and its revision, which every reinstall raises.
func layoutRev(t testing.TB, menu dbus.BusObject) (item, uint32) {
	t.Helper()
	var rev uint32
	var root []any
	call := menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	require.NoError(t, call.Err)
	require.NoError(t, call.Store(&rev, &root))
	return parseItem(t, root), rev
}

// settleMenu waits until the menu has not been reinstalled for quiet: a
// reinstall gives every item a new id, so a click sent with an id read just
// before one is lost ("systray error: no menu item with ID"), as a panel's
// would be.
func settleMenu(tb testing.TB, menu dbus.BusObject, quiet time.Duration) {
	tb.Helper()
	_, last := layoutRev(tb, menu)
	since := time.Now()
	eventually(tb, 30*time.Second, "a settled tray menu", func() bool {
		_, rev := layoutRev(tb, menu)
		if rev != last {
			last, since = rev, time.Now()
		}
		return time.Since(since) >= quiet
	})
}

// clickUntil clicks (action looks the item up afresh) and waits for cond;
// a click that a reinstall of the menu made miss is sent once more.
func clickUntil(tb testing.TB, what string, action func(), cond func() bool) {
	tb.Helper()
	action()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Logf("%s: not after 3 s, clicking again (the menu may have been reinstalled under the click)", what)
	action()
	eventually(tb, 10*time.Second, what, cond)
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

// notification is one entry of dunst's history.
type notification struct{ Summary, Body string }

// notifications closes what dunst shows (closed ones go to its history) and
// returns its history, newest first.
func notifications(tb testing.TB, env []string) []notification {
	tb.Helper()
	run := func(args ...string) []byte {
		c := exec.Command("dunstctl", args...)
		c.Env = env
		out, err := c.Output()
		if err != nil {
			tb.Fatalf("dunstctl %s: %v (is dunst installed? make deps)", strings.Join(args, " "), err)
		}
		return out
	}
	run("close-all")
	var hist struct {
		Data [][]struct {
			Summary struct{ Data string } `json:"summary"`
			Body    struct{ Data string } `json:"body"`
		} `json:"data"`
	}
	if err := json.Unmarshal(run("history"), &hist); err != nil {
		tb.Fatalf("dunstctl history: %v", err)
	}
	var out []notification
	for _, group := range hist.Data {
		for _, n := range group {
			out = append(out, notification{Summary: n.Summary.Data, Body: n.Body.Data})
		}
	}
	return out
}

func mustWrite(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// profileItems are the top-level menu items that stand for profiles: those
// with a submenu.
func profileItems(root item) []item {
	var out []item
	for _, c := range root.children {
		if len(c.children) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// clickLabel clicks the entry of profile (sub "") or its submenu item sub;
// with profile "" it clicks the top-level item labelled sub. Ids change
// whenever the menu is reinstalled, so they are looked up every time.
func clickLabel(tb testing.TB, menu dbus.BusObject, profile, sub string) {
	tb.Helper()
	callEvent(tb, menu, lookupLabel(tb, menu, profile, sub))
}

// lookupLabel is the id clickLabel clicks.
func lookupLabel(tb testing.TB, menu dbus.BusObject, profile, sub string) int32 {
	tb.Helper()
	root := layout(tb, menu)
	if profile == "" {
		id, ok := find(root, sub)
		if !ok {
			tb.Fatalf("no menu item %q", sub)
		}
		return id
	}
	for _, p := range profileItems(root) {
		if strings.HasPrefix(p.label, profile+" · ") {
			if sub == "" {
				return p.id
			}
			return findIn(tb, root, p.id, sub)
		}
	}
	tb.Fatalf("no menu entry for profile %s", profile)
	return 0
}
