// Package desktop runs tokentray's GUI: it creates the Fyne app (the only
// package that imports fyne/v2/app), wires the tray menu, the main window,
// the clipboard and notifications to one session over the engine, keeps the
// countdowns ticking and makes sure only one instance runs.
package desktop

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	fynedesktop "fyne.io/fyne/v2/driver/desktop"
	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/browser"
	"github.com/tokentray/tokentray/ui/desktop/instance"
	_ "github.com/tokentray/tokentray/ui/desktop/localefix" // before Fyne's lang package
	"github.com/tokentray/tokentray/ui/display"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/shutdown"
	"github.com/tokentray/tokentray/ui/text"
	"github.com/tokentray/tokentray/ui/tray"
	"github.com/tokentray/tokentray/ui/window"
)

// Options configure one run of the GUI.
type Options struct {
	Engine *auth.Engine
	// Service is the keychain service the engine's store uses. Instances are
	// unique per service, so the demo runs next to the real app.
	Service string
	// Title is the window title ("tokentray" by default).
	Title string
	// Hint is shown above the profile list (the demo explains itself).
	Hint string
	// Hidden starts in the tray without showing the window, whatever the
	// start-hidden setting says (a start at login).
	Hidden bool
	// Clipboard defaults to the system clipboard (atotto/clipboard).
	Clipboard session.Clipboard
	// Prepare runs on a goroutine once this process is the only instance and
	// the tray and window are up (the demo seeds its profiles there, so its
	// tray item appears at once); the views follow through the engine's
	// change notifications. An error is shown in the window.
	Prepare func() error
}

// NoTrayHint is shown when no StatusNotifier host is running.
const NoTrayHint = "No system tray found (on GNOME, enable the AppIndicator extension), so tokentray lives in this window: closing it quits."

// Intervals of the background ticks.
const (
	secondTick = time.Second      // window countdowns, only while the window is shown
	trayTick   = 30 * time.Second // tray labels ("42 min left")
	reloadTick = 5 * time.Minute  // re-read the keychain for changes made by other processes
)

// Run starts the GUI and returns the process exit code when it quits.
func Run(o Options) int {
	if o.Title == "" {
		o.Title = window.Title
	}
	if err := display.Check(); err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v\n", display.NeedsSession(err))
		return 1
	}
	showReq := make(chan struct{}, 1)
	release, err := claim(o.Service, showReq)
	if errors.Is(err, instance.ErrRunning) {
		fmt.Fprintln(os.Stderr, "tokentray is already running: brought its window to the front.")
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v\n", err)
		return 1
	}
	defer release()
	g, prefs := newGUI(o)
	return g.run(prefs.StartHidden || o.Hidden, showReq)
}

// claim makes this process the only instance for service; a later start
// asks it, through showReq, to show its window.
func claim(service string, showReq chan<- struct{}) (release func(), err error) {
	sock, err := instance.SocketPath("tokentray-" + service)
	if err != nil {
		return nil, err
	}
	return instance.Claim(sock, func() {
		select {
		case showReq <- struct{}{}:
		default:
		}
	})
}

// gui is one run of the tray app: the Fyne app, the session the tray and
// the window share, the tray, the window once it exists, and the handlers
// they call. Its methods run on the UI goroutine unless they say otherwise.
type gui struct {
	o     Options
	app   fyne.App
	loop  *mainLoop
	sess  *session.Session
	tray  *tray.Tray // nil without a tray host
	hints []string   // shown above the profile list

	hasTray bool
	// ownTray: the tray icon is tokentray's own (see trayIcon), so Fyne's
	// loop may be parked while the window is hidden.
	ownTray bool
	// notifyExpiring is written by apply and read by onExpiring.
	notifyExpiring atomic.Bool

	// The window and its content are made when first shown: laying them
	// out loads and parses the fonts (about 30 MB of heap), which a tray
	// icon never needs. Until then the status line's text waits in status.
	win    fyne.Window
	main   *window.Main
	status string
	// visible is written on the UI goroutine and read by the ticker, which
	// then does not even wake the UI goroutine while the window is hidden.
	visible atomic.Bool
}

// newGUI builds the app, its session and its tray (not yet the window) and
// returns the settings it applied.
func newGUI(o Options) (*gui, window.Prefs) {
	app.SetMetadata(Metadata())
	a := app.NewWithID(ID)
	a.SetIcon(assets.Icon)
	prefs := window.LoadPrefs(a.Preferences())
	g := &gui{o: o, app: a, loop: newMainLoop()}
	g.loop.StopOnSignal()

	clip := o.Clipboard
	if clip == nil {
		clip = systemClipboard{}
	}
	g.sess = &session.Session{
		Engine:    o.Engine,
		Clipboard: clip,
		Loop:      g.loop,
		OpenURL:   g.openURL,
		Notify:    g.notify,
	}
	g.apply(prefs)

	g.hasTray = HasTrayHost()
	if o.Hint != "" {
		g.hints = append(g.hints, o.Hint)
	}
	if !g.hasTray {
		g.hints = append(g.hints, NoTrayHint)
	}
	if missingClipboardTool() {
		g.hints = append(g.hints, session.Problem(session.ErrNoClipboardTool))
	}
	g.ownTray = g.hasTray && freedesktop()
	g.tray = g.newTray()
	return g, prefs
}

// run shows the window (unless hidden and there is a tray to live in),
// follows other processes' changes, ticks, and returns the exit code once
// the app quits, after finishing what the engine still has in flight.
func (g *gui) run(hidden bool, showReq <-chan struct{}) int {
	if g.tray != nil {
		g.tray.Start()
	}
	if !hidden || g.tray == nil {
		g.show()
	} else {
		g.idle(true)
	}
	if g.o.Prepare != nil {
		go g.prepare()
	}
	if stop := g.watchChanges(); stop != nil {
		defer stop()
	}

	done := make(chan struct{})
	defer close(done)
	go ticks(done, showReq, g.visible.Load, g.loop.Do, ticker{
		second: func() {
			if g.main != nil {
				g.main.Tick()
			}
		},
		tray: func() {
			if g.tray != nil {
				g.tray.Tick()
			}
		},
		reload: func() { g.sess.Reload() }, // tray and window follow the shared rows
		show:   g.show,
	})
	g.app.Run()
	g.loop.Stop()
	g.sess.FlushClear() // an armed auto-clear must not die with the process
	// Fyne has taken the first SIGINT/SIGTERM (or the user chose Quit);
	// from now on the next one ends the process at once.
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	shutdown.Finish(g.o.Engine, os.Stderr)
	return 0
}

// openURL opens a sign-in page. $BROWSER wins, as for the command line and
// other developer tools.
func (g *gui) openURL(u *url.URL) error {
	if os.Getenv("BROWSER") != "" {
		return browser.Open(u.String())
	}
	return g.app.OpenURL(u)
}

// notify is called on a goroutine of the session's: Fyne's
// SendNotification is a synchronous D-Bus call that must not hold up the UI.
func (g *gui) notify(title, body string) {
	g.app.SendNotification(fyne.NewNotification(title, body))
}

// apply puts the settings into effect.
func (g *gui) apply(p window.Prefs) {
	g.o.Engine.SetMargin(p.Margin)
	g.sess.SetAutoClear(p.AutoClear)
	g.sess.SetNotifications(p.Notifications)
	g.notifyExpiring.Store(p.NotifyExpiring)
}

// idle parks Fyne's loop while nothing of Fyne's needs it (own tray only).
func (g *gui) idle(on bool) {
	if g.ownTray {
		g.loop.SetIdle(on)
	}
}

func (g *gui) hide() {
	g.win.Hide()
	g.visible.Store(false)
	g.main.OnHidden() // a revealed token is masked again
	g.idle(true)
}

// setStatus shows text in the window's status line, or keeps it for the
// window's first showing.
func (g *gui) setStatus(text string) {
	if g.main == nil {
		g.status = text
		return
	}
	g.main.SetStatus(text)
}

func (g *gui) ensureWindow() {
	if g.main != nil {
		return
	}
	g.win = g.app.NewWindow(g.o.Title)
	g.win.SetIcon(assets.Icon)
	g.main = window.New(g.sess, g.o.Engine.Now, g.win)
	g.main.OnSettings = func() { window.ShowSettings(g.win, g.app.Preferences(), g.apply) }
	g.win.SetContent(g.main.Content())
	g.win.Resize(fyne.NewSize(1120, 680))
	g.main.SetHint(strings.Join(g.hints, "\n"))
	g.main.SetStatus(g.status)
	if g.hasTray {
		g.win.SetCloseIntercept(g.hide)
	} else {
		g.win.SetMaster() // closing it quits
		g.win.SetOnClosed(g.loop.Stop)
	}
	g.main.Start() // the rows the tray already read, or a first read
}

func (g *gui) show() {
	created := g.main == nil
	g.ensureWindow()
	g.idle(false)
	g.win.Show()
	g.win.RequestFocus()
	if !g.visible.Swap(true) && !created {
		g.main.Reload()
	}
}

// newTray puts the icon in the tray and returns the Tray that keeps its
// menu (not yet started), or nil without a tray host.
func (g *gui) newTray() *tray.Tray {
	var (
		install  func(*fyne.Menu)
		setState func(icon fyne.Resource, tooltip string)
	)
	if g.ownTray {
		icon := &trayIcon{do: g.loop.Do, quit: func() { g.loop.Stop(); g.app.Quit() }}
		icon.Show(assets.TrayIcon, Name)
		install, setState = icon.Install, icon.SetState
	} else if desk, ok := g.app.(fynedesktop.App); ok && g.hasTray {
		desk.SetSystemTrayIcon(assets.TrayIcon)
		install = desk.SetSystemTrayMenu
		setState = func(icon fyne.Resource, _ string) { desk.SetSystemTrayIcon(icon) }
	}
	if install == nil {
		return nil
	}
	return &tray.Tray{
		Session: g.sess,
		Now:     g.o.Engine.Now,
		Install: install,
		Handlers: tray.Handlers{
			Copy:       g.onCopy,
			Open:       g.show,
			AddProfile: func() { g.show(); g.main.AddProfile() },
			Inspect:    func(name string) { g.show(); g.main.Inspect(name) },
			SignIn:     func(name string, device bool) { g.show(); g.main.SignIn(name, device) },
			SignOut:    func(name string) { g.show(); g.main.SignOut(name) },
		},
		OnExpiring:   g.onExpiring,
		OnSignInSoon: g.onSignInSoon,
		KeepSignedIn: g.sess.KeepSignedIn,
		// The icon tells at a glance when a profile needs the user.
		OnAttention: func(items []string) {
			if len(items) == 0 {
				setState(assets.TrayIcon, Name)
				return
			}
			setState(assets.TrayAlertIcon, Name+" — "+strings.Join(items, "; "))
		},
	}
}

// onCopy copies from the tray. The window's status line says what the tray
// copied too, for desktops without a notification daemon.
func (g *gui) onCopy(r session.Request) {
	g.sess.Copy(r, func(res session.Result) { g.setStatus(res.Message) })
}

func (g *gui) onExpiring(name string, left time.Duration) {
	if g.notifyExpiring.Load() {
		g.sess.Announce("tokentray", fmt.Sprintf("Access token for %s expires in %s", name, text.Duration(left)))
	}
}

// onSignInSoon says a day ahead that a profile's refresh token runs out.
func (g *gui) onSignInSoon(name string, by time.Time) {
	g.sess.Announce("tokentray", fmt.Sprintf("Sign in to %s again soon: its refresh token runs out %s (%s)",
		name, by.Local().Format("Mon 2 Jan 15:04"), text.SignInAgain(by, g.o.Engine.Now())))
}

// prepare runs Options.Prepare, on a goroutine of its own.
func (g *gui) prepare() {
	if err := g.o.Prepare(); err != nil {
		g.loop.Do(func() { g.show(); g.setStatus(session.Problem(err)) })
	}
}

// watchChanges shows changes by other processes (a CLI refresh) at once:
// their engines touch the profile's lock file. This process's own changes
// touch it too; those the session has already read. It returns the
// watch's stop, or nil when changes show only with the next reload tick.
func (g *gui) watchChanges() (stop func()) {
	dir, err := auth.LockDir(g.o.Service)
	if err != nil {
		return nil
	}
	changes := &changeWatch{dir: dir}
	g.o.Engine.Watch(changes.Own)
	stop, err = changes.Start(changeDebounce, func([]string) { g.loop.Do(g.sess.Reload) })
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: %v (changes from other processes show within %v)\n", err, reloadTick)
		return nil
	}
	return stop
}

type ticker struct{ second, tray, reload, show func() }

// ticks drives the periodic updates; every function runs on the UI
// goroutine through do. The per-second tick only runs while visible.
func ticks(done <-chan struct{}, showReq <-chan struct{}, visible func() bool, do func(func()), t ticker) {
	sec := time.NewTicker(secondTick)
	defer sec.Stop()
	tr := time.NewTicker(trayTick)
	defer tr.Stop()
	rl := time.NewTicker(reloadTick)
	defer rl.Stop()
	for {
		select {
		case <-done:
			return
		case <-showReq:
			do(t.show)
		case <-sec.C:
			if visible() {
				do(t.second)
			}
		case <-tr.C:
			do(t.tray)
		case <-rl.C:
			do(t.reload)
		}
	}
}
